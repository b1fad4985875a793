import type { DeliveryStatus } from '../domain/deliveryStatus';
import type { InboundContent, InboundMediaKind } from '../domain/inboundText';
import type { ProviderError } from '../domain/providerErrors';
import type { OutboundPart } from '../domain/outboundContent';

/*
 * The port to the messaging providers: WhatsApp over Meta's Cloud API or Twilio, and SMS over Twilio. Activities talk
 * to these shapes; the workflow never sees which provider is behind them.
 */

/** What every sending back end (Cloud API, Twilio WhatsApp, Twilio SMS) offers the activities. */
export interface MessageSender {
  readonly provider: 'meta' | 'twilio';
  /**
   * Sends one part; returns the provider's message id and, where the provider says it (Meta's contacts[]), the
   * WhatsApp id the number reached. Throws ProviderSendError on an API error.
   */
  send(to: string, part: OutboundPart, reference: string): Promise<{ providerMessageId: string; recipient?: SentRecipient }>;
  /**
   * The message an earlier `send` of this part created, where the provider can be asked (Twilio's Messages list);
   * undefined when not found. Absent where no such lookup exists (Meta: only receipts prove a send).
   */
  findSent?(to: string, part: OutboundPart, options: SentLookup): Promise<{ providerMessageId: string } | undefined>;
}

/** Meta's `contacts[]` of a send response: the number as sent (`input`) and the WhatsApp id it reached, which may differ. */
export interface SentRecipient {
  input: string;
  waId: string;
}

/** What a lookup of an earlier send knows: when the first attempt started, and ids that belong to something else. */
export interface SentLookup {
  attemptStartedAt: Date;
  excludeSids?: Iterable<string>;
}

export interface ReceiptEvent {
  kind: 'receipt';
  provider: 'meta' | 'twilio';
  providerMessageId: string;
  status: Exclude<DeliveryStatus, 'accepted'>;
  occurredAt: string;
  /** Our workflow id, echoed back by the provider (biz_opaque_callback_data / callback URL). */
  reference?: string;
  error?: ProviderError;
  /** The business number the receipt belongs to (routes to the location). */
  businessNumberId?: string;
  /** Meta's billing facts of the message, on the statuses that carry them (stored on the ledger row, for costs). */
  pricing?: ReceiptPricing;
}

/** Meta's status `pricing` (category, billable, type such as `free_customer_service`, model CBP/PMP) and `conversation`. */
export interface ReceiptPricing {
  category?: string;
  billable?: boolean;
  type?: string;
  model?: string;
  conversationId?: string;
  conversationOrigin?: string;
}

export class ProviderSendError extends Error {
  override name = 'ProviderSendError';
  constructor(readonly providerError: ProviderError, message: string) {
    super(message);
  }
}

/** A file the sender attached; the activity resolves it with the provider (Meta media id, Twilio media URL). */
export interface InboundMediaRef {
  kind: InboundMediaKind;
  /** Meta media id. */
  id?: string;
  /** Twilio MediaUrlN. */
  url?: string;
  mimeType?: string;
  filename?: string;
  sha256?: string;
}

/** One message a WhatsApp user (or, through Twilio, an SMS sender) sent the business, the same for every back end. */
export interface InboundEvent {
  kind: 'inbound';
  provider: 'meta' | 'twilio';
  /** 'sms' for a plain SMS reply to the Twilio SMS fallback number; absent means WhatsApp (older histories have none). */
  channel?: 'whatsapp' | 'sms';
  /** wamid (Meta) or MessageSid (Twilio): the deduplication key. */
  providerMessageId: string;
  /** The business number it was sent to: phone_number_id (Meta) or the To number (Twilio); routes to the location. */
  businessNumberId: string;
  /** E.164; null when WhatsApp only gave a business-scoped user id. The api replaces it with the canonical number. */
  from: string | null;
  /** The sender's WhatsApp id as the provider gave it (Meta `from`/`wa_id`, Twilio `WaId`); may differ from the number. */
  waId?: string;
  fromUserId?: string;
  profileName?: string;
  occurredAt: string;
  type: InboundContent['type'];
  /** The message in words (media: the caption). */
  text: string;
  media: InboundMediaRef[];
  /** Button payload or interactive reply id. */
  payload?: string;
  /** The provider message id this one replies or reacts to. */
  replyTo?: string;
}

export type FetchedMedia =
  | { ok: true; bytes: Buffer; mimeType: string }
  | { ok: false; reason: 'too_large' | 'unavailable'; sizeBytes?: number; mimeType?: string };

/** The inbound side of a back end, per location: its media and its read marks. */
export interface InboundMessaging {
  readonly provider: 'meta' | 'twilio';
  /** Downloads an attached file unless it is larger than maxBytes. */
  fetchMedia(ref: InboundMediaRef, options: { maxBytes: number }): Promise<FetchedMedia>;
  /** Shows the sender the blue ticks (a no-op where the back end has no such thing). */
  markRead(providerMessageId: string): Promise<void>;
}
