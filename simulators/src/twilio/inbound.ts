import type { FastifyInstance } from 'fastify';
import type { SimulatorState } from './state';
import type { CallbackDelivery, InboundMedia, InboundMessageInput } from './types';
import { sendSignedWebhook } from './webhookSender';
import { TwilioApiError, WHATSAPP_PREFIX, isE164, newSid } from './wireFormat';

interface StoredMedia extends InboundMedia {
  accountSid: string;
}

/** Bytes of inbound media, served back at the MediaUrlN Twilio put in the webhook. */
export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();

  put(accountSid: string, messageSid: string, mediaSid: string, media: InboundMedia): void {
    this.items.set(`${messageSid}/${mediaSid}`, { accountSid, contentType: media.contentType, bytes: Buffer.from(media.bytes) });
  }

  get(messageSid: string, mediaSid: string): StoredMedia | undefined {
    return this.items.get(`${messageSid}/${mediaSid}`);
  }
}

/**
 * `GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}` with Basic auth.
 * Real Twilio redirects to a CDN URL; the simulator answers the bytes directly, which clients following redirects see the same.
 */
export function registerMediaRoutes(app: FastifyInstance, state: SimulatorState, store: MediaStore): void {
  app.get<{ Params: { accountSid: string; messageSid: string; mediaSid: string } }>(
    '/2010-04-01/Accounts/:accountSid/Messages/:messageSid/Media/:mediaSid',
    async (request, reply) => {
      const { accountSid, messageSid, mediaSid } = request.params;
      state.authenticate(request, accountSid);
      const media = store.get(messageSid, mediaSid);
      if (!media || media.accountSid !== accountSid) {
        throw new TwilioApiError(404, 20404, `The requested resource ${request.url} was not found`);
      }
      return reply.type(media.contentType).header('content-length', media.bytes.length).send(media.bytes);
    },
  );
}

function defaultMessageType(input: InboundMessageInput): string {
  const firstMedia = input.media?.[0];
  if (firstMedia) {
    const family = firstMedia.contentType.split('/')[0] ?? '';
    return ['image', 'video', 'audio'].includes(family) ? family : 'document';
  }
  return input.buttonText !== undefined ? 'button' : 'text';
}

/** Builds the "A message comes in" form (B.2 captures), stores its media and POSTs it signed to `url`. */
export async function emitInboundMessage(state: SimulatorState, media: MediaStore, url: string, input: InboundMessageInput): Promise<CallbackDelivery> {
  if (!isE164(input.from) || !isE164(input.to)) throw new Error(`emitInbound needs E.164 from/to, got ${input.from} → ${input.to}`);
  const account = input.accountSid ? state.accountOrThrow(input.accountSid) : state.defaultAccount();
  const whatsApp = (input.channel ?? 'whatsapp') === 'whatsapp';
  const attachments = input.media ?? [];
  const messageSid = newSid(attachments.length > 0 ? 'MM' : 'SM');
  const address = (e164: string) => (whatsApp ? `${WHATSAPP_PREFIX}${e164}` : e164);

  const params: Record<string, string> = {
    MessageSid: messageSid,
    SmsMessageSid: messageSid,
    SmsSid: messageSid,
    AccountSid: account.accountSid,
    From: address(input.from),
    To: address(input.to),
    Body: input.body ?? '',
    NumMedia: String(attachments.length),
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
  attachments.forEach((attachment, index) => {
    const mediaSid = newSid('ME');
    media.put(account.accountSid, messageSid, mediaSid, attachment);
    params[`MediaContentType${index}`] = attachment.contentType;
    params[`MediaUrl${index}`] = `${state.baseUrl}/2010-04-01/Accounts/${account.accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
  });
  if (whatsApp) {
    params.ProfileName = input.profileName ?? 'Simulated User';
    params.WaId = input.waId ?? input.from.slice(1);
    params.MessageType = input.messageType ?? defaultMessageType(input);
    params.ReferralNumMedia = '0';
    if (input.buttonText !== undefined) params.ButtonText = input.buttonText;
    if (input.buttonPayload !== undefined) params.ButtonPayload = input.buttonPayload;
  }

  return sendSignedWebhook(state, {
    kind: 'inbound',
    messageSid,
    url,
    params,
    authToken: account.authToken,
    signatureOverride: input.signatureOverride,
  });
}
