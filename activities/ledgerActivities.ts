import { openLedgerEntry, recordLedgerEvent, type LedgerChange } from '../src/store/ledger';
import { pauseSender } from '../src/store/locations';
import type { ActivityDeps } from './deps';

export function createLedgerActivities({ db }: ActivityDeps) {
  return {
    /** Returns false when another workflow already handled this HighLevel message (beyond Temporal's ID dedupe). */
    async openLedger(entry: { messageId: string; locationId: string; contactId: string; highLevelMessageId: string; phoneE164: string | null; detail: Record<string, unknown> }): Promise<boolean> {
      const { detail, ...message } = entry;
      return openLedgerEntry(db, { id: message.messageId, ...message }, detail);
    },

    async recordEvent(messageId: string, type: string, detail: Record<string, unknown>, change: LedgerChange = {}): Promise<void> {
      await recordLedgerEvent(db, messageId, type, detail, change);
    },

    async pauseSender(locationId: string, reason: string): Promise<void> {
      await pauseSender(db, locationId, reason);
    },
  };
}
