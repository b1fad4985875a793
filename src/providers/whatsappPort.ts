import type { DeliveryStatus } from '../domain/deliveryStatus';
import type { ProviderError } from '../domain/metaErrors';
import type { OutboundPart } from '../domain/outboundContent';

/** What every WhatsApp back end (Cloud API, Twilio) offers the activities; the workflow never sees which. */
export interface WhatsAppSender {
  readonly provider: 'meta' | 'twilio';
  /** Sends one part; returns the provider's message id. Throws ProviderSendError on an API error. */
  send(to: string, part: OutboundPart, reference: string): Promise<{ providerMessageId: string }>;
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
}

export class ProviderSendError extends Error {
  override name = 'ProviderSendError';
  constructor(readonly providerError: ProviderError, message: string) {
    super(message);
  }
}
