import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idProblem } from '../domain/identifiers';
import { normalizePhone } from '../domain/phone';
import { resolveSettings } from '../domain/locationSettings';
import { maskPhone } from '../logging';
import { verifyHighLevelSignature } from '../providers/highlevel/signature';
import { constantTimeEqual, sha256Hex } from '../security/secretBox';
import { findLocation } from '../store/locations';
import { DELIVERY_VERSION, initialDeliverySearchAttributes, deliverWorkflowId, type DeliverMessageInput } from '../../workflows/shared';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, unavailable, zodFields } from './replies';
import { withTemporalDeadline } from './temporalDeadline';

/** HighLevel's ProviderOutboundMessage (highlevel.md §1); unknown fields pass through untouched. */
const outboundMessage = z.looseObject({
  type: z.string().min(1),
  locationId: z.string().min(1),
  contactId: z.string().min(1),
  messageId: z.string().min(1),
  phone: z.string().optional(),
  message: z.string().optional(),
  body: z.string().optional(),
  attachments: z.array(z.string().url()).max(10).optional(),
  userId: z.string().optional(),
});

/** Far above any SMS HighLevel sends, far below Temporal's payload limits (warning at 256 KiB, refusal at 2 MiB). */
export const MAX_DELIVERY_INPUT_BYTES = 128 * 1024;

/** HighLevel's Delivery URL path (the app's custom SMS provider setting). */
export const DELIVERY_ROUTE = '/webhooks/highlevel/delivery';

export function registerHighLevelDeliveryRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post(DELIVERY_ROUTE, async (request, reply) => {
    const raw = rawBodyOf(request);
    const parsed = parseJson(raw);
    const signed = verifyHighLevelSignature(Buffer.from(raw, 'utf8'), headerValue(request.headers['x-ghl-signature']), ctx.config.HIGHLEVEL_WEBHOOK_PUBLIC_KEY);
    const locationId = parsed.ok ? (parsed.value as { locationId?: unknown })?.locationId : undefined;
    const token = (request.query as { token?: string }).token;
    const locationIdProblem = typeof locationId === 'string' ? idProblem(locationId) : undefined;
    if (locationIdProblem) return badRequest(reply, `locationId ${locationIdProblem}`, [{ field: 'locationId', problem: locationIdProblem }]);

    let location;
    try {
      location = typeof locationId === 'string' && locationId ? await findLocation(ctx.db, locationId) : undefined;
      // After an UNINSTALL the location is unknown here (its tokens are gone) until it installs again.
      if (location?.uninstalled_at) location = undefined;
    } catch (error) {
      request.log.error({ err: error }, 'database unavailable on delivery');
      return unavailable(reply, 'the database');
    }
    const tokenAccepted = !!token && !!location?.delivery_token_hash && constantTimeEqual(sha256Hex(token), location.delivery_token_hash);
    if (!signed && !tokenAccepted) {
      return reply.code(401).send({ error: 'invalid or missing X-GHL-Signature (or Delivery URL token)' });
    }
    if (!parsed.ok) return badRequest(reply, 'body is not valid JSON');
    const result = outboundMessage.safeParse(parsed.value);
    if (!result.success) return badRequest(reply, 'invalid ProviderOutboundMessage', zodFields(result.error));
    const message = result.data;
    if (message.type !== 'SMS') {
      return reply.code(422).send({ error: `type "${message.type}" is not delivered by this provider: it replaces HighLevel's SMS provider and only handles type "SMS"` });
    }
    if (!location) return reply.code(404).send({ error: `location ${message.locationId} has not installed or configured this app` });

    const settings = resolveSettings(location.settings, { receiptTimeoutSeconds: 0, lateReceiptWindowSeconds: 0 });
    const phone = normalizePhone(message.phone, settings.defaultCountry);
    const input: DeliverMessageInput = {
      locationId: message.locationId,
      contactId: message.contactId,
      highLevelMessageId: message.messageId,
      phoneE164: phone.ok ? phone.e164 : null,
      ...(phone.ok ? {} : { phoneProblem: phone.reason }),
      text: message.message ?? message.body ?? '',
      attachments: message.attachments ?? [],
      receivedAt: new Date().toISOString(),
      version: DELIVERY_VERSION,
    };
    const inputBytes = Buffer.byteLength(JSON.stringify(input));
    if (inputBytes > MAX_DELIVERY_INPUT_BYTES) {
      // Decided here: Temporal would refuse the start (its payload limit) and HighLevel would retry a 503 forever.
      return reply.code(413).send({ error: `the message is ${inputBytes} bytes; at most ${MAX_DELIVERY_INPUT_BYTES} can be delivered (a WhatsApp text holds 4096 characters)` });
    }
    const workflowId = deliverWorkflowId(message.locationId, message.messageId);
    try {
      await withTemporalDeadline(ctx, () => ctx.temporal.workflow.start('deliverMessage', {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `SMS → WhatsApp to ${maskPhone(input.phoneE164)}`,
        typedSearchAttributes: initialDeliverySearchAttributes(input),
      }));
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { accepted: true, workflowId, duplicate: true };
      request.log.error({ err: error, workflowId }, 'could not start the delivery workflow');
      return unavailable(reply, 'Temporal');
    }
    ctx.metrics?.workflowStarted('deliverMessage');
    request.log.info({ workflowId, phone: maskPhone(input.phoneE164) }, 'delivery accepted');
    return { accepted: true, workflowId };
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
