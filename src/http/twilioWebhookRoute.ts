import type { FastifyInstance } from 'fastify';
import { isTwilioAccountSid } from '../domain/identifiers';
import type { LocationRow } from '../db/schema';
import { parseForm, verifyTwilioSignature, type FormParams } from '../providers/twilio/signature';
import { parseTwilioWebhook, type TwilioInbound } from '../providers/twilio/webhookParser';
import type { InboundEvent } from '../providers/messagingPort';
import { findLocationsByTwilioAccountSid } from '../store/locations';
import { locationsOwningMessage } from '../store/receipts';
import { deliverWorkflowId, isDeliverWorkflowId } from '../../workflows/shared';
import type { HttpContext } from './context';
import { routeInbound } from './inboundRouter';
import { rawBodyOf } from './rawBody';
import { routeReceipts, type RoutableReceipt } from './receiptRouter';
import { badRequest, unavailable } from './replies';
import { withTemporalDeadline } from './temporalDeadline';

/** What Twilio's MessagingResponse renders when there is nothing to say; plain text would be sent to the contact. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's status callbacks and incoming messages (WhatsApp and SMS). The signature is checked over the public URL
 * Twilio called (PUBLIC_BASE_URL + path + query: behind a proxy the local URL differs) with the auth token of the
 * location(s) owning the AccountSid in the form.
 */
export function registerTwilioWebhookRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post('/webhooks/twilio', async (request, reply) => {
    const params = parseForm(rawBodyOf(request));
    if (typeof params.AccountSid === 'string' && !isTwilioAccountSid(params.AccountSid)) {
      return badRequest(reply, 'AccountSid is not a Twilio account SID (AC followed by 32 hex digits)');
    }
    const header = request.headers['x-twilio-signature'];
    const publicUrl = `${ctx.config.PUBLIC_BASE_URL}${request.url}`;
    let signers: LocationRow[];
    try {
      signers = await locationsSigning(ctx, params, Array.isArray(header) ? header[0] : header, publicUrl);
    } catch (error) {
      request.log.error({ err: error }, 'could not look up the Twilio account');
      return unavailable(reply, 'the database');
    }
    // 403, as twilio-node's webhook() middleware answers an invalid signature: understood, and refused.
    if (signers.length === 0) return reply.code(403).send({ error: 'invalid or missing X-Twilio-Signature, or unknown AccountSid' });

    const event = parseTwilioWebhook(params, referenceOf(request.url));
    try {
      if (event.kind === 'receipt' && (await namesForeignMessage(ctx, event.receipt, signers))) {
        return reply.code(403).send({ error: 'the status callback names a message of a location whose credentials did not sign it' });
      }
    } catch (error) {
      request.log.error({ err: error }, 'could not look up the message of a Twilio status callback');
      return unavailable(reply, 'the database');
    }
    try {
      await withTemporalDeadline(ctx, async () => {
        if (event.kind === 'receipt') await routeReceipts(ctx, [event.receipt]);
        if (event.kind === 'inbound') {
          // SMS replies take the same workflow; it keeps them away from the WhatsApp window and consent.
          const { message } = event;
          const locate = message.channel === 'sms' ? smsLocation : whatsAppLocation;
          const inbound = await routeInbound(ctx, [inboundEventOf(message)], async () => locate(signers, message));
          if (inbound.unrouted > 0) request.log.warn(`an inbound Twilio ${message.channel === 'sms' ? 'SMS' : 'WhatsApp message'} for a number no location uses`);
        }
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not process a Twilio webhook');
      return unavailable(reply, 'Temporal or the database');
    }
    return reply.code(200).type('text/xml').send(EMPTY_TWIML);
  });
}

/** The `ref` we put on the StatusCallback URL (our workflow id); anything else in its place is no reference. */
function referenceOf(url: string): string | undefined {
  const reference = new URL(url, 'http://twilio.invalid').searchParams.get('ref') ?? undefined;
  return isDeliverWorkflowId(reference) ? reference : undefined;
}

/**
 * Tenant isolation: a status callback may only touch a message of a location whose auth token signed it (on the
 * AccountSid it names). The message is the one its `ref` names, and the one its MessageSid is tied to by the ledger
 * or an earlier receipt; any of them belonging to another location refuses the callback. A `ref` nothing in the ledger
 * knows yet is judged by the location it names.
 */
async function namesForeignMessage(ctx: HttpContext, receipt: RoutableReceipt, signers: LocationRow[]): Promise<boolean> {
  const own = new Set(signers.map((location) => location.id));
  const reference = receipt.reference;
  const owners = await locationsOwningMessage(ctx.db, receipt.provider, receipt.providerMessageId, reference);
  if (owners.some((owner) => !own.has(owner))) return true;
  return reference !== undefined && owners.length === 0 && !signers.some((location) => reference.startsWith(deliverWorkflowId(location.id, '')));
}

/** The locations on the form's AccountSid whose auth token produced the signature (none: reject). */
async function locationsSigning(ctx: HttpContext, params: FormParams, header: string | undefined, url: string): Promise<LocationRow[]> {
  const accountSid = typeof params.AccountSid === 'string' ? params.AccountSid : undefined;
  if (!header || !accountSid) return [];
  const candidates = await findLocationsByTwilioAccountSid(ctx.db, accountSid);
  return candidates.filter((location) => {
    if (!location.twilio_auth_token_enc) return false;
    try {
      return verifyTwilioSignature(ctx.box.decrypt(location.twilio_auth_token_enc), header, url, params);
    } catch {
      return false; // a token sealed with another key cannot sign anything
    }
  });
}

const bare = (address: string | null) => address?.replace(/^whatsapp:/, '') ?? undefined;

/**
 * The location a WhatsApp message was sent to: among those whose auth token signed it, the one using Twilio for
 * WhatsApp whose number (or Messaging Service) received it. One account may serve several locations.
 */
function whatsAppLocation(signers: LocationRow[], message: TwilioInbound): LocationRow | undefined {
  return signers.find(
    (candidate) =>
      candidate.whatsapp_backend === 'twilio' &&
      (bare(candidate.twilio_whatsapp_from) === message.businessNumberId ||
        (message.messagingServiceSid !== undefined && candidate.twilio_messaging_service_sid === message.messagingServiceSid)),
  );
}

/**
 * The location an SMS reply was sent to: among those whose auth token signed it, the one whose SMS fallback number
 * (or Messaging Service) received it, whatever its WhatsApp back end.
 */
function smsLocation(signers: LocationRow[], message: TwilioInbound): LocationRow | undefined {
  return (
    signers.find((candidate) => bare(candidate.twilio_sms_from) === message.businessNumberId) ??
    signers.find((candidate) => message.messagingServiceSid !== undefined && candidate.twilio_messaging_service_sid === message.messagingServiceSid)
  );
}

/** The provider-neutral event the receiveInbound workflow takes; Twilio's extras stay here, the channel only for SMS (absent = WhatsApp). */
function inboundEventOf(message: TwilioInbound): InboundEvent {
  const { channel, accountSid: _accountSid, messagingServiceSid: _service, ...event } = message;
  return channel === 'sms' ? { ...event, channel } : event;
}
