import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type {
  EmitStatusOptions,
  InboundSpec,
  MarkedAsRead,
  MessageStatus,
  ReceiptStep,
  SendFault,
  SentMessage,
  TemplateDefinition,
  WebhookDelivery,
} from './types';

/** Demo/test control plane under /_sim (not recorded in `requests`, no latency). */

export interface ControlRouteContext {
  sentMessages: SentMessage[];
  markedAsRead: MarkedAsRead[];
  webhookDeliveries: Array<WebhookDelivery<unknown>>;
  emitInbound(spec: InboundSpec): Promise<WebhookDelivery>;
  emitStatus(wamid: string, status: MessageStatus, options?: EmitStatusOptions): Promise<WebhookDelivery>;
  scriptReceipts(to: string, steps: ReceiptStep[]): void;
  setLatency(ms: number): void;
  failNextSends(count: number, error: SendFault): void;
  setWhatsAppId(phone: string, waId: string): void;
  /** A template as if Meta had reviewed it (default APPROVED), in the WABA given or the first account's. */
  upsertTemplate(template: TemplateDefinition, wabaId?: string): void;
}

const statusSchema = z.enum(['sent', 'delivered', 'read', 'failed']);
const statusErrorSchema = z.object({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  details: z.string().optional(),
});

const inboundSchema = z.looseObject({
  type: z.enum(['text', 'image', 'audio', 'video', 'document', 'sticker', 'button', 'interactive', 'reaction', 'location', 'contacts', 'unsupported', 'system']),
  from: z.string().optional(),
  fromUserId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  timestamp: z.number().optional(),
});

const receiptSchema = z.union([
  z.object({
    wamid: z.string().min(1),
    status: statusSchema,
    error: statusErrorSchema.optional(),
    timestamp: z.number().optional(),
    recipientId: z.string().optional(),
  }),
  // Script the receipts of the next message to `to` instead of emitting one now.
  z.object({
    to: z.string().min(1),
    steps: z.array(
      z.object({
        status: statusSchema,
        delayMs: z.number().nonnegative().optional(),
        error: statusErrorSchema.optional(),
        duplicate: z.boolean().optional(),
      }),
    ),
  }),
]);

const sendFaultSchema = z.object({
  httpStatus: z.number().int().min(400).max(599),
  code: z.number().int(),
  message: z.string().optional(),
  details: z.string().optional(),
  isTransient: z.boolean().optional(),
});

const whatsAppIdSchema = z.object({ phone: z.string().regex(/\d{8,15}/), waId: z.string().regex(/^\+?\d{8,15}$/) });

const DEFAULT_FAULT: SendFault = { httpStatus: 500, code: 131000, isTransient: true };

const faultsSchema = z.object({
  latencyMs: z.number().nonnegative().optional(),
  failNextSends: z
    .union([z.number().int().nonnegative(), z.object({ count: z.number().int().nonnegative(), error: sendFaultSchema.optional() })])
    .optional(),
});

const templateSchema = z.object({
  wabaId: z.string().optional(),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and underscores, as Meta requires'),
  language: z.string().min(2),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).default('UTILITY'),
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']).default('APPROVED'),
  parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
  components: z.array(z.record(z.string(), z.unknown())).min(1),
});

function summarize(delivery: WebhookDelivery<unknown>) {
  return { statusCode: delivery.statusCode, ...(delivery.error ? { error: delivery.error } : {}), payload: delivery.payload };
}

function parseOr400<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const error = new Error(z.prettifyError(parsed.error)) as Error & { statusCode: number };
  error.statusCode = 400;
  throw error;
}

export function registerControlRoutes(app: FastifyInstance, context: ControlRouteContext): void {
  app.get('/_sim/messages', async () => context.sentMessages);
  app.get('/_sim/read-marks', async () => context.markedAsRead);
  app.get('/_sim/webhooks', async () => context.webhookDeliveries.map((delivery) => ({ ...summarize(delivery), at: delivery.at })));

  app.post('/_sim/inbound', async (request) => {
    const spec = parseOr400(inboundSchema, request.body) as InboundSpec;
    return summarize(await context.emitInbound(spec));
  });

  app.post('/_sim/receipts', async (request) => {
    const body = parseOr400(receiptSchema, request.body);
    if ('to' in body) {
      context.scriptReceipts(body.to, body.steps);
      return { scripted: body.steps.length };
    }
    const { wamid, status, ...options } = body;
    return summarize(await context.emitStatus(wamid, status, options));
  });

  // A number whose WhatsApp id differs from its digits (sends answer with it; the user's messages come from it).
  app.post('/_sim/wa-ids', async (request) => {
    const body = parseOr400(whatsAppIdSchema, request.body);
    context.setWhatsAppId(body.phone, body.waId);
    return { ok: true };
  });

  // The demo's way to add a template: it appears in the next template sync (Meta's own review is not simulated).
  app.post('/_sim/templates', async (request) => {
    const { wabaId, ...template } = parseOr400(templateSchema, request.body);
    context.upsertTemplate(template, wabaId);
    return { ok: true, name: template.name, language: template.language, status: template.status };
  });

  app.post('/_sim/faults', async (request) => {
    const body = parseOr400(faultsSchema, request.body);
    if (body.latencyMs !== undefined) context.setLatency(body.latencyMs);
    if (typeof body.failNextSends === 'number') context.failNextSends(body.failNextSends, DEFAULT_FAULT);
    else if (body.failNextSends) context.failNextSends(body.failNextSends.count, body.failNextSends.error ?? DEFAULT_FAULT);
    return { ok: true };
  });
}
