import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Channel, MessageEventRow, MessageRow } from '../db/schema';

export interface NewLedgerMessage {
  id: string;
  locationId: string;
  contactId: string;
  highLevelMessageId: string;
  phoneE164: string | null;
}

/** Creates the ledger row; false when this HighLevel message is already on record (a redelivery). */
export async function openLedgerEntry(db: Db, message: NewLedgerMessage, detail: Record<string, unknown>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('messages')
      .values({
        id: message.id,
        location_id: message.locationId,
        contact_id: message.contactId,
        highlevel_message_id: message.highLevelMessageId,
        phone_e164: message.phoneE164,
        status: 'received',
      })
      .onConflict((conflict) => conflict.columns(['location_id', 'highlevel_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx.selectFrom('messages').select('id').where('location_id', '=', message.locationId).where('highlevel_message_id', '=', message.highLevelMessageId).executeTakeFirstOrThrow();
      // The same workflow retrying its own first step is not a duplicate.
      return existing.id === message.id;
    }
    await trx.insertInto('message_events').values({ message_id: message.id, type: 'received', detail: JSON.stringify(detail) }).execute();
    return true;
  });
}

export interface LedgerChange {
  status?: string;
  statusReason?: string | null;
  errorCode?: string | null;
  channel?: Channel;
  provider?: string;
  providerMessageId?: string;
}

/** Appends an event to the timeline and applies the row change in one transaction. */
export async function recordLedgerEvent(db: Db, messageId: string, type: string, detail: Record<string, unknown>, change: LedgerChange = {}): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('message_events').values({ message_id: messageId, type, detail: JSON.stringify(detail) }).execute();
    const set: Record<string, unknown> = {};
    if (change.status !== undefined) set.status = change.status;
    if (change.statusReason !== undefined) set.status_reason = change.statusReason;
    if (change.errorCode !== undefined) set.error_code = change.errorCode;
    if (change.channel !== undefined) set.channel = change.channel;
    if (change.provider !== undefined) set.provider = change.provider;
    if (change.providerMessageId !== undefined) set.provider_message_id = change.providerMessageId;
    if (Object.keys(set).length > 0) {
      await trx.updateTable('messages').set({ ...set, updated_at: sql`now()` }).where('id', '=', messageId).execute();
    }
  });
}

export async function findLedgerEntry(db: Db, messageId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
}

export async function findByProviderMessageId(db: Db, providerMessageId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('provider_message_id', '=', providerMessageId).executeTakeFirst();
}

export async function ledgerTimeline(db: Db, messageId: string): Promise<MessageEventRow[]> {
  return db.selectFrom('message_events').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
}
