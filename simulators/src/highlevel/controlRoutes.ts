import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from './apiErrors';
import { HighLevelDeliveryCaller } from './deliveryCaller';
import type { FaultInjector } from './faults';
import type { HighLevelSimulator } from './highLevelSimulator';
import type { ProviderOutboundMessage, SimContact } from './types';

const outboundRequest = z.object({
  deliveryUrl: z.url(),
  /** Sent verbatim when given. */
  payload: z.record(z.string(), z.unknown()).optional(),
  /** Merged over HighLevel's documented SMS example when no payload is given. */
  overrides: z.record(z.string(), z.unknown()).optional(),
  signature: z.enum(['valid', 'none', 'wrong', 'N/A']).optional(),
});

const faultsRequest = z.object({
  latencyMs: z.number().int().min(0).optional(),
  failNext: z
    .object({ count: z.number().int().min(1), status: z.number().int().min(100).max(599), body: z.unknown().optional(), pathPrefix: z.string().optional() })
    .optional(),
  clear: z.boolean().optional(),
});

const tokenRequest = z.object({ locationId: z.string().min(1), companyId: z.string().min(1).optional() });
const seedContactRequest = z.looseObject({ locationId: z.string().min(1) });

function parseControl<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw badRequest(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`));
  return result.data;
}

/** Demo and test controls under /_sim (never recorded, never faulted, no auth). */
export function registerControlRoutes(
  app: FastifyInstance,
  simulator: HighLevelSimulator,
  caller: HighLevelDeliveryCaller,
  faults: FaultInjector,
): void {
  app.get('/_sim/state', async () => ({
    contacts: [...simulator.contacts.values()],
    inboundMessages: simulator.inboundMessages,
    statusUpdates: simulator.statusUpdates,
    uploads: simulator.uploads.map(({ bytes, ...upload }) => ({ ...upload, size: bytes.length })),
    webhookPublicKeyPem: caller.publicKeyPem,
  }));

  app.post('/_sim/outbound', async (request) => {
    const { deliveryUrl, payload, overrides, signature } = parseControl(outboundRequest, request.body);
    const message = payload ?? HighLevelDeliveryCaller.examplePayload(overrides as Partial<ProviderOutboundMessage> | undefined);
    const delivery = await caller.send(deliveryUrl, message, { signature });
    return { messageId: message.messageId ?? null, payload: message, delivery };
  });

  app.post('/_sim/faults', async (request) => {
    const { latencyMs, failNext, clear } = parseControl(faultsRequest, request.body);
    if (clear) faults.clear();
    if (latencyMs !== undefined) faults.setLatency(latencyMs);
    if (failNext) faults.failNext(failNext.count, { status: failNext.status, body: failNext.body, pathPrefix: failNext.pathPrefix });
    return { ok: true };
  });

  app.post('/_sim/tokens', async (request) => {
    const { locationId, companyId } = parseControl(tokenRequest, request.body);
    return simulator.issueLocationToken(locationId, companyId);
  });

  app.post('/_sim/contacts', async (request, reply) => {
    const seed = parseControl(seedContactRequest, request.body) as Partial<SimContact> & { locationId: string };
    return reply.code(201).send({ contact: simulator.seedContact(seed) });
  });
}
