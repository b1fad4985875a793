/** Status of one outbound message as we know it, in forward-only order. */
export type DeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

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
