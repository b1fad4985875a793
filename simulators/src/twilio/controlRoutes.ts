import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TwilioSimulator } from './twilioSimulator';

type ControlTarget = Pick<
  TwilioSimulator,
  'messages' | 'callbackDeliveries' | 'emitInbound' | 'emitStatusCallback' | 'setLatency' | 'failNextCreates' | 'scriptCallbacks' | 'addContent' | 'setContentApproval'
>;

const callbackStatus = z.enum(['sent', 'delivered', 'read', 'undelivered', 'failed']);
const approvalStatus = z.enum(['approved', 'pending', 'rejected', 'paused', 'disabled']);

const inboundSchema = z.object({
  url: z.string().url(),
  accountSid: z.string().optional(),
  from: z.string(),
  to: z.string(),
  channel: z.enum(['whatsapp', 'sms']).optional(),
  body: z.string().optional(),
  profileName: z.string().optional(),
  waId: z.string().optional(),
  media: z.array(z.object({ contentType: z.string(), base64: z.string() })).optional(),
  buttonText: z.string().optional(),
  buttonPayload: z.string().optional(),
  messageType: z.string().optional(),
  signatureOverride: z.string().optional(),
});

const statusCallbackSchema = z.object({
  messageSid: z.string(),
  status: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed']),
  errorCode: z.number().int().optional(),
});

const faultsSchema = z.object({
  latencyMs: z.number().int().min(0).optional(),
  failNextCreates: z
    .object({ count: z.number().int().min(1), httpStatus: z.number().int().min(400).max(599), code: z.number().int(), message: z.string().optional() })
    .optional(),
});

const scriptSchema = z.object({
  to: z.string(),
  steps: z.array(
    z.object({ status: callbackStatus, errorCode: z.number().int().optional(), delayMs: z.number().int().min(0).optional(), duplicate: z.boolean().optional() }),
  ),
});

const contentSchema = z.object({
  sid: z.string().optional(),
  friendlyName: z.string(),
  language: z.string(),
  variables: z.record(z.string(), z.string()).optional(),
  types: z.record(z.string(), z.unknown()),
  approval: z.object({ status: approvalStatus, category: z.string().optional(), name: z.string().optional() }).optional(),
});

/** Demo/operator controls under /_sim (not part of Twilio's API; never recorded or delayed). */
export function registerControlRoutes(app: FastifyInstance, simulator: ControlTarget): void {
  app.get('/_sim/messages', async () => simulator.messages);

  app.get('/_sim/callbacks', async () => simulator.callbackDeliveries);

  app.post('/_sim/inbound', async (request) => {
    const { url, media, ...inbound } = inboundSchema.parse(request.body);
    return simulator.emitInbound(url, {
      ...inbound,
      media: media?.map((item) => ({ contentType: item.contentType, bytes: Buffer.from(item.base64, 'base64') })),
    });
  });

  app.post('/_sim/callbacks', async (request) => {
    const { messageSid, status, errorCode } = statusCallbackSchema.parse(request.body);
    return simulator.emitStatusCallback(messageSid, status, { errorCode });
  });

  app.post('/_sim/faults', async (request) => {
    const faults = faultsSchema.parse(request.body);
    if (faults.latencyMs !== undefined) simulator.setLatency(faults.latencyMs);
    if (faults.failNextCreates) {
      const { count, ...error } = faults.failNextCreates;
      simulator.failNextCreates(count, error);
    }
    return { ok: true };
  });

  app.post('/_sim/script', async (request) => {
    const { to, steps } = scriptSchema.parse(request.body);
    simulator.scriptCallbacks(to, steps);
    return { ok: true };
  });

  app.post('/_sim/content', async (request) => {
    const content = contentSchema.parse(request.body);
    return { sid: simulator.addContent(content) };
  });

  app.post('/_sim/content/approval', async (request) => {
    const { sid, status } = z.object({ sid: z.string(), status: approvalStatus }).parse(request.body);
    simulator.setContentApproval(sid, status);
    return { ok: true };
  });
}
