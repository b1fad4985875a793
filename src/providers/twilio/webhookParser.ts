import { describeInbound } from '../../domain/inboundText';
import type { InboundEvent, ReceiptEvent } from '../messagingPort';
import { field, inboundContent, inboundMedia, toE164 } from './inboundContent';
import type { FormParams } from './signature';

export type TwilioChannel = 'whatsapp' | 'sms';

/** A status callback as our receipt, with the channel it belongs to (the same endpoint serves WhatsApp and SMS). */
export interface TwilioReceipt extends ReceiptEvent {
  provider: 'twilio';
  channel: TwilioChannel;
}

/**
 * An incoming WhatsApp or SMS message in the shape every back end shares, with the channel always set (one
 * endpoint serves both), plus what only Twilio knows: the account and the Messaging Service it came through.
 */
export type TwilioInbound = InboundEvent & {
  provider: 'twilio';
  channel: TwilioChannel;
  accountSid: string;
  messagingServiceSid?: string;
};

export type TwilioWebhookEvent =
  | { kind: 'receipt'; receipt: TwilioReceipt }
  | { kind: 'inbound'; message: TwilioInbound }
  | { kind: 'ignored'; reason: string };

/** Twilio's statuses onto ours; queued/accepted/sending/scheduled carry nothing HighLevel shows. */
const STATUS_MAP: Record<string, ReceiptEvent['status']> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
};

const WHATSAPP_PREFIX = 'whatsapp:';

function bare(address: string | undefined): string | undefined {
  return address?.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

/** The message's id: MessageSid, or one of the older names Twilio still sends beside it. */
function messageSidOf(params: FormParams): string | undefined {
  return field(params, 'MessageSid') ?? field(params, 'SmsMessageSid') ?? field(params, 'SmsSid');
}

function channelOf(params: FormParams): TwilioChannel {
  const whatsApp = field(params, 'ChannelPrefix') === 'whatsapp' || [field(params, 'To'), field(params, 'From')].some((address) => address?.startsWith(WHATSAPP_PREFIX));
  return whatsApp ? 'whatsapp' : 'sms';
}

/**
 * A status callback. `reference` is the `ref` query parameter we put on the StatusCallback URL (our workflow id).
 * Twilio sends no event time, so the receipt is dated when it arrived.
 */
export function parseTwilioStatusCallback(params: FormParams, reference: string | undefined, receivedAt: Date): TwilioWebhookEvent {
  const providerMessageId = messageSidOf(params);
  const twilioStatus = field(params, 'MessageStatus') ?? field(params, 'SmsStatus');
  if (!providerMessageId || !twilioStatus) return { kind: 'ignored', reason: 'no MessageSid or MessageStatus' };
  const status = STATUS_MAP[twilioStatus];
  if (!status) return { kind: 'ignored', reason: `status ${twilioStatus} is not reported` };
  const code = Number(field(params, 'ErrorCode'));
  const errorMessage = field(params, 'ErrorMessage');
  const receipt: TwilioReceipt = {
    kind: 'receipt',
    provider: 'twilio',
    channel: channelOf(params),
    providerMessageId,
    status,
    occurredAt: receivedAt.toISOString(),
    ...(reference ? { reference } : {}),
    businessNumberId: bare(field(params, 'From')) ?? field(params, 'MessagingServiceSid'),
    ...(Number.isInteger(code) && code > 0 ? { error: { code, ...(errorMessage ? { title: errorMessage } : {}) } } : {}),
  };
  return { kind: 'receipt', receipt };
}

/** An incoming message ("A message comes in" webhook, whatsapp.md B.2). */
export function parseTwilioInbound(params: FormParams, receivedAt: Date): TwilioWebhookEvent {
  const providerMessageId = messageSidOf(params);
  const from = bare(field(params, 'From'));
  const to = bare(field(params, 'To'));
  const accountSid = field(params, 'AccountSid');
  if (!providerMessageId || !from || !to || !accountSid) return { kind: 'ignored', reason: 'inbound message without MessageSid, From, To or AccountSid' };
  const media = inboundMedia(params, field(params, 'MessageType'));
  const content = inboundContent(params, media);
  const messagingServiceSid = field(params, 'MessagingServiceSid');
  const fromUserId = bare(field(params, 'ExternalUserId'));
  const profileName = field(params, 'ProfileName');
  const payload = content.type === 'button' ? content.payload : undefined;
  const replyTo = field(params, 'OriginalRepliedMessageSid');
  const waId = field(params, 'WaId');
  const message: TwilioInbound = {
    kind: 'inbound',
    provider: 'twilio',
    channel: channelOf(params),
    accountSid,
    providerMessageId,
    businessNumberId: to,
    from: toE164(from, waId),
    ...(waId ? { waId } : {}),
    occurredAt: receivedAt.toISOString(),
    type: content.type,
    text: describeInbound(content),
    media,
    ...(messagingServiceSid ? { messagingServiceSid } : {}),
    ...(fromUserId ? { fromUserId } : {}),
    ...(profileName ? { profileName } : {}),
    ...(payload ? { payload } : {}),
    ...(replyTo ? { replyTo } : {}),
  };
  return { kind: 'inbound', message };
}

/** Status callbacks carry MessageStatus; incoming messages carry SmsStatus=received and no MessageStatus. */
export function parseTwilioWebhook(params: FormParams, reference: string | undefined, receivedAt = new Date()): TwilioWebhookEvent {
  const status = field(params, 'MessageStatus');
  if (status && status !== 'received') return parseTwilioStatusCallback(params, reference, receivedAt);
  if (field(params, 'SmsStatus') === 'received' || status === 'received') return parseTwilioInbound(params, receivedAt);
  return { kind: 'ignored', reason: 'neither a status callback nor an incoming message' };
}
