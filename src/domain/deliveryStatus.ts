/** Status of one outbound message as we know it, in forward-only order. */
export type DeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

/** A channel a message is sent on. */
export type SendChannel = 'whatsapp' | 'sms';

/** Which channels reached the contact (or were used), as the ledger records a message: one, both, or none yet. */
export type LedgerChannel = SendChannel | 'both' | 'none';

const RANK: Record<Exclude<DeliveryStatus, 'failed'>, number> = { accepted: 0, sent: 1, delivered: 2, read: 3 };

/**
 * Receipts arrive late, duplicated and out of order. Status only moves forward (sent < delivered < read);
 * read without delivered is fine; failed ends the message unless it was already delivered or read
 * (a late failure from another device does not undo a delivery).
 */
export function advanceStatus(current: DeliveryStatus, incoming: DeliveryStatus): DeliveryStatus {
  if (current === 'failed') return current;
  if (incoming === 'failed') return current === 'delivered' || current === 'read' ? current : 'failed';
  return RANK[incoming] > RANK[current] ? incoming : current;
}

export function isFinal(status: DeliveryStatus): boolean {
  return status === 'read' || status === 'failed';
}

/** Whether the recipient's device has the message (what the receipt deadline waits for). */
export function reachedRecipient(status: DeliveryStatus): boolean {
  return status === 'delivered' || status === 'read';
}

/** HighLevel's status API has no "sent": only delivered, read and failed are worth pushing. */
export function highLevelStatusFor(status: DeliveryStatus): 'delivered' | 'read' | 'failed' | undefined {
  return status === 'delivered' || status === 'read' || status === 'failed' ? status : undefined;
}

export type HighLevelStatus = 'delivered' | 'read' | 'failed';

/**
 * What to push to HighLevel now, if anything. The rule for statuses that arrive together: only the furthest one
 * is pushed, and never one behind a status already pushed. HighLevel's conversation shows one status per message
 * and read implies delivered; each push spends a request of the location's HighLevel budget (100 per 10 s) and
 * an activity. So a message whose delivered and read receipts come together shows `read` alone.
 */
export function highLevelStatusToPush(pushed: HighLevelStatus | undefined, current: DeliveryStatus): HighLevelStatus | undefined {
  const next = highLevelStatusFor(current);
  if (!next || next === pushed) return undefined;
  if (pushed === 'failed') return undefined;
  return pushed && next !== 'failed' && RANK[next] < RANK[pushed] ? undefined : next;
}

/** Whether a sequence of pushed statuses follows that rule and ends at `final` (what tests assert, whatever the timing). */
export function followsPushRule(pushed: readonly string[], final: HighLevelStatus): boolean {
  if (pushed.at(-1) !== final || new Set(pushed).size !== pushed.length) return false;
  let previous: HighLevelStatus | undefined;
  for (const status of pushed) {
    if (status !== 'delivered' && status !== 'read' && status !== 'failed') return false;
    if (highLevelStatusToPush(previous, status) !== status) return false;
    previous = status;
  }
  return true;
}

/** What HighLevel shows for a message: the best status of any channel; failed only when every attempted channel failed. */
export function overallStatus(channelStatuses: ReadonlyArray<DeliveryStatus | undefined>): DeliveryStatus {
  const statuses = channelStatuses.filter((status): status is DeliveryStatus => !!status);
  const reached = statuses.filter(reachedRecipient);
  if (reached.length > 0) return reached.includes('read') ? 'read' : 'delivered';
  if (statuses.length > 0 && statuses.every((status) => status === 'failed')) return 'failed';
  return 'sent';
}

/** Nothing more can change: WhatsApp (if sent) read or failed, and the SMS (if any) delivered, read or failed. */
export function deliverySettled(whatsApp: DeliveryStatus | undefined, sms: DeliveryStatus | undefined): boolean {
  const whatsAppDone = whatsApp === undefined || whatsApp === 'read' || whatsApp === 'failed';
  const smsDone = sms === undefined || sms === 'delivered' || sms === 'read' || sms === 'failed';
  return whatsAppDone && smsDone;
}
