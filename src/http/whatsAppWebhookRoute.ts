import type { FastifyInstance } from 'fastify';
import { parseMetaReceipts, type MetaWebhookPayload } from '../providers/meta/webhookParser';
import { verifyMetaSignature } from '../providers/meta/signature';
import { parseMetaInbound } from '../providers/meta/inboundParser';
import { routeInbound } from './inboundRouter';
import { recordMetaAccountErrors } from './metaAccountErrors';
import { routeReceipts } from './receiptRouter';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, unavailable } from './replies';
import { withTemporalDeadline } from './temporalDeadline';

export function registerWhatsAppWebhookRoutes(app: FastifyInstance, ctx: HttpContext): void {
  /** Meta's subscription handshake: echo hub.challenge when the verify token matches. */
  app.get('/webhooks/whatsapp', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const expected = ctx.config.WHATSAPP_VERIFY_TOKEN;
    if (query['hub.mode'] === 'subscribe' && expected && query['hub.verify_token'] === expected && query['hub.challenge']) {
      return reply.type('text/plain').send(query['hub.challenge']);
    }
    return reply.code(403).send({ error: 'verification failed: hub.mode must be subscribe and hub.verify_token must match' });
  });

  app.post('/webhooks/whatsapp', async (request, reply) => {
    const raw = rawBodyOf(request);
    const secret = ctx.config.META_APP_SECRET;
    const signature = request.headers['x-hub-signature-256'];
    if (!secret || !verifyMetaSignature(raw, Array.isArray(signature) ? signature[0] : signature, secret)) {
      return reply.code(401).send({ error: 'invalid or missing X-Hub-Signature-256' });
    }
    const parsed = parseJson(raw);
    if (!parsed.ok) return badRequest(reply, 'body is not valid JSON');
    const payload = parsed.value as MetaWebhookPayload;
    if (payload?.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) {
      return { received: true, ignored: 'not a whatsapp_business_account payload' };
    }
    try {
      const accountErrors = await recordMetaAccountErrors(ctx, payload, request.log);
      const { receipts, inbound } = await withTemporalDeadline(ctx, async () => ({
        receipts: await routeReceipts(ctx, parseMetaReceipts(payload)),
        inbound: await routeInbound(ctx, parseMetaInbound(payload)),
      }));
      if (receipts.refused > 0) request.log.warn({ refused: receipts.refused }, "statuses for another business number's messages were not applied");
      if (inbound.unrouted > 0) request.log.warn({ unrouted: inbound.unrouted }, 'inbound WhatsApp messages for a business number no location uses');
      return { received: true, ...receipts, inbound, ...(accountErrors > 0 ? { accountErrors } : {}) };
    } catch (error) {
      request.log.error({ err: error }, 'could not process a WhatsApp webhook');
      return unavailable(reply, 'Temporal or the database');
    }
  });
}
