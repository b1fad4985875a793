import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { SmsSegmentCount } from '../domain/smsSegments';
import { forgetLocation } from './locations';
import type { MessageEventRow, MessageRow } from '../db/schema';
import type { LedgerChannel } from '../domain/deliveryStatus';

export interface NewLedgerMessage {
  id: string;
  locationId: string;
  contactId: string;
  highLevelMessageId: string;
  phoneE164: string | null;
  /** What the text takes as SMS (for the cost report's SMS comparison). */
  sms?: SmsSegmentCount;
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
  channel?: LedgerChannel;
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

/** The row change as SET items (updated_at always). */
function setItems(change: LedgerChange) {
  const columns: Array<[string, unknown]> = [
    ['status', change.status],
    ['status_reason', change.statusReason],
    ['error_code', change.errorCode],
    ['channel', change.channel],
    ['provider', change.provider],
    ['provider_message_id', change.providerMessageId],
  ];
  const items = columns.filter(([, value]) => value !== undefined).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  return sql.join([...items, sql`updated_at = now()`]);
}

/**
 * The events as one INSERT … SELECT from two arrays (one statement whatever their number). With a `step`, a step run
 * again adds nothing (unique per message, step and type).
 */
function insertEvents(messageId: string, events: LedgerEvent[], onlyIf = sql`true`, step?: string) {
  const types = events.map((event) => event.type);
  const details = events.map((event) => JSON.stringify(event.detail));
  const once = step === undefined ? sql`` : sql` on conflict (message_id, step, type) where step is not null do nothing`;
  return sql`insert into message_events (message_id, type, detail, step)
    select ${messageId}, e.type, e.detail::jsonb, ${step ?? null} from unnest(${types}::text[], ${details}::text[]) with ordinality as e(type, detail, n)
    where ${onlyIf} order by e.n${once}`;
}

/**
 * Events and the row change in one statement (so one commit, no transaction round trips): the lean workflow writes
 * the ledger once per step, inside the activity that did the work. `pauseSender` pauses the location in it too.
 */
export async function recordLedgerEvents(
  db: Db,
  messageId: string,
  events: LedgerEvent[],
  change: LedgerChange = {},
  { pauseSender, step }: { pauseSender?: { locationId: string; reason: string }; step?: string } = {},
): Promise<void> {
  const pause = pauseSender
    ? sql`, paused as (update locations set sender_paused_reason = ${pauseSender.reason}, updated_at = now() where id = ${pauseSender.locationId})`
    : sql``;
  await sql`with inserted as (${insertEvents(messageId, events, sql`true`, step)})${pause}
    update messages set ${setItems(change)} where id = ${messageId}`.execute(db);
  if (pauseSender) forgetLocation(pauseSender.locationId);
}

/**
 * Opens the ledger row with its first events (received, decided) in one statement: `opened`, `reopened` (this
 * workflow opened it before: a step run again), or `duplicate` (the HighLevel message is another workflow's).
 */
export async function openLedgerWithEvents(db: Db, message: NewLedgerMessage, events: LedgerEvent[]): Promise<'opened' | 'reopened' | 'duplicate'> {
  const { rows } = await sql<{ inserted: boolean; owner: string | null }>`with inserted as (
      insert into messages (id, location_id, contact_id, highlevel_message_id, phone_e164, status, sms_segments, sms_encoding)
      values (${message.id}, ${message.locationId}, ${message.contactId}, ${message.highLevelMessageId}, ${message.phoneE164}, 'received',
        ${message.sms?.segments ?? null}::smallint, ${message.sms?.encoding ?? null})
      on conflict (location_id, highlevel_message_id) do nothing returning id
    ), owner as (
      select id from inserted
      union all
      select id from messages where location_id = ${message.locationId} and highlevel_message_id = ${message.highLevelMessageId}
    ), events as (
      ${insertEvents(message.id, events, sql`exists (select 1 from owner where id = ${message.id})`)}
    )
    select exists (select 1 from inserted) as inserted, (select id from owner limit 1) as owner`.execute(db);
  const row = rows[0];
  if (row?.inserted) return 'opened';
  return row?.owner === message.id ? 'reopened' : 'duplicate';
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
    .map((receipt) => ({ id: `r${receipt.id}`, message_id: messageId, type: 'receipt', detail: receipt.payload, occurred_at: receipt.received_at, step: null }));
  return [...events, ...fromReceipts].sort((a, b) => new Date(a.occurred_at).getTime() - new Date(b.occurred_at).getTime());
}
