/**
 * What the two reference systems of the benchmark share: their configuration (passed as JSON in
 * BENCH_REFERENCE_CONFIG), a raw-body Fastify app, and the minimal WhatsApp send / HighLevel status push.
 * Deliberately independent of the product's code (only the signature helpers are reused).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { CONVERSATIONS_API_VERSION } from '@ghl-whatsapp/simulators';

export interface ReferenceConfig {
  port: number;
  /** HighLevel: the key Delivery URL posts are signed with, and the API the statuses go to. */
  highLevelPublicKeyPem: string;
  highLevelBaseUrl: string;
  highLevelToken: string;
  /** WhatsApp Cloud API (the Meta simulator) and the app secret its webhooks are signed with. */
  graphBaseUrl: string;
  phoneNumberId: string;
  whatsAppToken: string;
  metaAppSecret: string;
  /** Floor workflow only. */
  temporalAddress?: string;
  taskQueue?: string;
}

export function referenceConfig(): ReferenceConfig {
  const raw = process.env.BENCH_REFERENCE_CONFIG;
  if (!raw) throw new Error('BENCH_REFERENCE_CONFIG is not set');
  return JSON.parse(raw) as ReferenceConfig;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBuffer?: Buffer;
  }
}

/** No logging (a floor does the least), JSON bodies kept raw for signature checks. */
export function rawJsonApp(): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBuffer = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(Object.assign(new Error('invalid JSON'), { statusCode: 400 }), undefined);
    }
  });
  return app;
}

export interface OutboundPost {
  locationId: string;
  messageId: string;
  phone: string;
  message: string;
}

/** Sends one WhatsApp text; `reference` comes back in every receipt (biz_opaque_callback_data). Returns the wamid. */
export async function sendWhatsAppText(config: ReferenceConfig, to: string, text: string, reference: string): Promise<string> {
  const response = await fetch(`${config.graphBaseUrl}/${config.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.whatsAppToken}` },
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: text }, biz_opaque_callback_data: reference }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { messages?: Array<{ id: string }> };
  if (!response.ok || !body.messages?.[0]?.id) throw new Error(`WhatsApp answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
  return body.messages[0].id;
}

export async function pushHighLevelStatus(config: ReferenceConfig, messageId: string, status: string): Promise<void> {
  const response = await fetch(`${config.highLevelBaseUrl}/conversations/messages/${encodeURIComponent(messageId)}/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.highLevelToken}`, version: CONVERSATIONS_API_VERSION },
    body: JSON.stringify({ status }),
    signal: AbortSignal.timeout(15_000),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HighLevel answered ${response.status} to status ${status}`);
}

export interface Receipt {
  status: string;
  reference: string | undefined;
}

/** Every status of a WhatsApp webhook (all entries and changes). */
export function receiptsOf(payload: unknown): Receipt[] {
  const receipts: Receipt[] = [];
  const entries = (payload as { entry?: Array<{ changes?: Array<{ value?: { statuses?: Array<{ status?: string; biz_opaque_callback_data?: string }> } }> }> })?.entry ?? [];
  for (const entry of entries) {
    for (const change of entry.changes ?? []) {
      for (const status of change.value?.statuses ?? []) {
        if (typeof status.status === 'string') receipts.push({ status: status.status, reference: status.biz_opaque_callback_data });
      }
    }
  }
  return receipts;
}
