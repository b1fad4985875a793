import { advanceStatus, deliverySettled, overallStatus, reachedRecipient, type DeliveryStatus } from '../../src/domain/deliveryStatus';
import type { ReceiptSignal } from '../shared';

export type Channel = 'whatsapp' | 'sms';

const ORDER: DeliveryStatus[] = ['accepted', 'sent', 'delivered', 'read'];

/** A message of several parts is as far as its least advanced part; any failed part fails it. */
function aggregate(statuses: DeliveryStatus[]): DeliveryStatus {
  if (statuses.includes('failed')) return 'failed';
  return ORDER[Math.min(...statuses.map((status) => ORDER.indexOf(status)))] ?? 'sent';
}

/** Frozen with deliverMessageV3 (its receipt arithmetic is in the recorded histories). Receipt state of one HighLevel message across its WhatsApp parts and its SMS (deterministic, workflow-side). */
export class DeliveryTracker {
  private readonly parts: Record<Channel, Map<string, DeliveryStatus>> = { whatsapp: new Map(), sms: new Map() };
  readonly firstError: Partial<Record<Channel, NonNullable<ReceiptSignal['error']>>> = {};

  track(channel: Channel, providerMessageIds: string[]): void {
    for (const id of providerMessageIds) this.parts[channel].set(id, 'sent');
  }

  /** Applies a receipt for a part we sent; false for an id that is not ours. */
  apply(receipt: ReceiptSignal): boolean {
    const channel = receipt.channel;
    const current = this.parts[channel].get(receipt.providerMessageId);
    if (current === undefined) return false;
    this.parts[channel].set(receipt.providerMessageId, advanceStatus(current, receipt.status));
    if (receipt.status === 'failed' && receipt.error) this.firstError[channel] ??= receipt.error;
    return true;
  }

  attempted(channel: Channel): boolean {
    return this.parts[channel].size > 0;
  }

  status(channel: Channel): DeliveryStatus | undefined {
    return this.attempted(channel) ? aggregate([...this.parts[channel].values()]) : undefined;
  }

  /** HighLevel shows the best status of any channel; failed only when every attempted channel failed. */
  overall(): DeliveryStatus {
    return overallStatus([this.status('whatsapp'), this.status('sms')]);
  }

  /** Which channel got through: both means the contact received the message twice (and it was billed twice). */
  channelLabel(): 'whatsapp' | 'sms' | 'both' | 'none' {
    const reached = (channel: Channel) => reachedRecipient(this.status(channel) ?? 'sent');
    if (reached('whatsapp') && reached('sms')) return 'both';
    if (reached('sms') || this.attempted('sms')) return 'sms';
    return this.attempted('whatsapp') ? 'whatsapp' : 'none';
  }

  /** Nothing more can change: WhatsApp read or failed, and the SMS (if any) delivered or failed. */
  settled(): boolean {
    return deliverySettled(this.status('whatsapp'), this.status('sms'));
  }

  partStates(): Record<string, string> {
    return Object.fromEntries([...this.parts.whatsapp, ...[...this.parts.sms].map(([id, status]) => [`sms:${id}`, status] as const)]);
  }
}
