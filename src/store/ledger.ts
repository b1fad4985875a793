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
  await recordLedgerEvents(db, messageId, [{ type, detail }], change);
}

export interface LedgerEvent {
  type: string;
  detail: Record<string, unknown>;
}

/** Applies the row change to a transaction (shared by every writer of the ledger). */
async function applyChange(trx: Db, messageId: string, change: LedgerChange): Promise<void> {
  const set: Record<string, unknown> = {};
  if (change.status !== undefined) set.status = change.status;
  if (change.statusReason !== undefined) set.status_reason = change.statusReason;
  if (change.errorCode !== undefined) set.error_code = change.errorCode;
  if (change.channel !== undefined) set.channel = change.channel;
  if (change.provider !== undefined) set.provider = change.provider;
  if (change.providerMessageId !== undefined) set.provider_message_id = change.providerMessageId;
  if (Object.keys(set).length > 0) await trx.updateTable('messages').set({ ...set, updated_at: sql`now()` }).where('id', '=', messageId).execute();
}

/**
 * Several events and the row change in one transaction and at most two statements: the lean workflow writes the
 * ledger once per step, inside the activity that did the work. `pauseSender` pauses the location in the same commit.
 */
export async function recordLedgerEvents(db: Db, messageId: string, events: LedgerEvent[], change: LedgerChange = {}, pauseSender?: { locationId: string; reason: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (events.length > 0) {
      await trx.insertInto('message_events').values(events.map((event) => ({ message_id: messageId, type: event.type, detail: JSON.stringify(event.detail) }))).execute();
    }
    await applyChange(trx, messageId, change);
    if (pauseSender) {
      await trx.updateTable('locations').set({ sender_paused_reason: pauseSender.reason, updated_at: sql`now()` }).where('id', '=', pauseSender.locationId).execute();
    }
  });
}

/**
 * Opens the ledger row with its first events (received, decided) in one transaction; false when this HighLevel
 * message is on record under another workflow. The same workflow opening again (a retry) only appends the events.
 */
export async function openLedgerWithEvents(db: Db, message: NewLedgerMessage, events: LedgerEvent[]): Promise<'opened' | 'reopened' | 'duplicate'> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('messages')
      .values({ id: message.id, location_id: message.locationId, contact_id: message.contactId, highlevel_message_id: message.highLevelMessageId, phone_e164: message.phoneE164, status: 'received' })
      .onConflict((conflict) => conflict.columns(['location_id', 'highlevel_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx.selectFrom('messages').select('id').where('location_id', '=', message.locationId).where('highlevel_message_id', '=', message.highLevelMessageId).executeTakeFirstOrThrow();
      if (existing.id !== message.id) return 'duplicate';
    }
    await trx.insertInto('message_events').values(events.map((event) => ({ message_id: message.id, type: event.type, detail: JSON.stringify(event.detail) }))).execute();
    return inserted ? 'opened' : 'reopened';
  });
}

/** The ledger's own events of some types (what an activity checks before repeating work). */
export async function ledgerEventsOf(db: Db, messageId: string, types: string[]): Promise<MessageEventRow[]> {
  return db.selectFrom('message_events').selectAll().where('message_id', '=', messageId).where('type', 'in', types).orderBy('id').execute();
}

export async function findLedgerEntry(db: Db, messageId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
}

export async function findByProviderMessageId(db: Db, providerMessageId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('provider_message_id', '=', providerMessageId).executeTakeFirst();
}

/**
 * A message's whole story: the ledger's events and, as `receipt` events, every provider receipt that carries its
 * reference (receipts are stored by the webhook receiver; the workflow is signalled only when one changes something).
 */
export async function ledgerTimeline(db: Db, messageId: string): Promise<MessageEventRow[]> {
  const [events, receipts] = await Promise.all([
    db.selectFrom('message_events').selectAll().where('message_id', '=', messageId).orderBy('id').execute(),
    db.selectFrom('provider_receipts').selectAll().where('message_id', '=', messageId).orderBy('id').execute(),
  ]);
  const recordedByWorkflow = new Set(events.filter((event) => event.type === 'receipt').map((event) => `${event.detail.providerMessageId}:${event.detail.status}`));
  const fromReceipts: MessageEventRow[] = receipts
    .filter((receipt) => !recordedByWorkflow.has(`${receipt.provider_message_id}:${receipt.status}`))
    .map((receipt) => ({ id: `r${receipt.id}`, message_id: messageId, type: 'receipt', detail: receipt.payload, occurred_at: receipt.received_at }));
  return [...events, ...fromReceipts].sort((a, b) => new Date(a.occurred_at).getTime() - new Date(b.occurred_at).getTime());
}
