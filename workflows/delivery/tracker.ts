import { deliverySettled, overallStatus, reachedRecipient, type DeliveryStatus, type SendChannel } from '../../src/domain/deliveryStatus';
import type { ReceiptSignal } from '../shared';

export type ReceiptError = NonNullable<ReceiptSignal['error']>;

// The receiver classifies and words every failure (src/http/receiptRouter.ts); the workflow only reads.
export const describe = (error: ReceiptError): string => error.reason ?? `error ${error.code}`;
export const classOf = (error: ReceiptError) => error.errorClass ?? 'permanent';
export const byProviderTime = (a: ReceiptSignal, b: ReceiptSignal): number => Date.parse(a.occurredAt) - Date.parse(b.occurredAt);

/** What the receipts of one sent part say, whatever order they came in. */
interface PartState {
  reached?: 'delivered' | 'read';
  failure?: ReceiptError;
}

const ORDER: DeliveryStatus[] = ['accepted', 'sent', 'delivered', 'read'];

function partStatus(part: PartState): DeliveryStatus {
  return part.reached ?? (part.failure ? 'failed' : 'sent');
}

/** A message of several parts is as far as its least advanced part; any failed part fails it. */
function aggregate(statuses: DeliveryStatus[]): DeliveryStatus {
  if (statuses.includes('failed')) return 'failed';
  return ORDER[Math.min(...statuses.map((status) => ORDER.indexOf(status)))] ?? 'sent';
}

/**
 * Receipt state of one HighLevel message across its WhatsApp parts and its SMS (deterministic, workflow-side).
 * Receipts fold so that arrival order does not matter: a device that has the message (delivered, read) outranks a
 * failure, whether the failure is older (a late-arriving earlier `failed`) or newer (another device). Receipts for
 * ids not yet known (a send adopted after a lost answer) wait until the id is tracked.
 */
export class DeliveryTracker {
  private readonly parts: Record<SendChannel, Map<string, PartState>> = { whatsapp: new Map(), sms: new Map() };
  private readonly early: ReceiptSignal[] = [];

  /** Tracks what a send returned; `replace` drops an earlier attempt on that channel (a re-decided send). */
  track(channel: SendChannel, providerMessageIds: string[], options: { replace?: boolean } = {}): void {
    if (options.replace) this.parts[channel].clear();
    for (const id of providerMessageIds) this.parts[channel].set(id, {});
    const waiting = this.early.splice(0);
    for (const receipt of waiting) this.apply(receipt);
  }

  /** Applies a receipt; false when its id is not (yet) one of ours, in which case it is kept for later. */
  apply(receipt: ReceiptSignal): boolean {
    const part = this.parts[receipt.channel].get(receipt.providerMessageId);
    if (!part) {
      this.early.push(receipt);
      return false;
    }
    if (receipt.status === 'read' || (receipt.status === 'delivered' && part.reached !== 'read')) part.reached = receipt.status;
    if (receipt.status === 'failed') part.failure ??= receipt.error ?? { code: 0 };
    return true;
  }

  attempted(channel: SendChannel): boolean {
    return this.parts[channel].size > 0;
  }

  status(channel: SendChannel): DeliveryStatus | undefined {
    return this.attempted(channel) ? aggregate([...this.parts[channel].values()].map(partStatus)) : undefined;
  }

  reached(channel: SendChannel): boolean {
    return reachedRecipient(this.status(channel) ?? 'sent');
  }

  /** The failure of the first failed part of a channel. */
  failure(channel: SendChannel): ReceiptError | undefined {
    return [...this.parts[channel].values()].find((part) => !part.reached && part.failure)?.failure;
  }

  /** HighLevel shows the best status of any channel; failed only when every attempted channel failed. */
  overall(): DeliveryStatus {
    return overallStatus([this.status('whatsapp'), this.status('sms')]);
  }

  /** Which channel got through: both means the contact received the message twice (and it was billed twice). */
  channelLabel(): 'whatsapp' | 'sms' | 'both' | 'none' {
    if (this.reached('whatsapp')) return this.reached('sms') ? 'both' : 'whatsapp';
    if (this.attempted('sms')) return 'sms';
    return this.attempted('whatsapp') ? 'whatsapp' : 'none';
  }

  /** Nothing more can change: WhatsApp read or failed, and the SMS (if any) delivered or failed. */
  settled(): boolean {
    return deliverySettled(this.status('whatsapp'), this.status('sms'));
  }

  partStates(): Record<string, string> {
    const entries = (channel: SendChannel, prefix: string) => [...this.parts[channel]].map(([id, part]) => [`${prefix}${id}`, partStatus(part)] as const);
    return Object.fromEntries([...entries('whatsapp', ''), ...entries('sms', 'sms:')]);
  }
}
