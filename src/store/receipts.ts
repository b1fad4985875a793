import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ReceiptPricing } from '../providers/messagingPort';

type StoredReceipt = { provider: string; providerMessageId: string; status: string; messageId: string | null; payload: Record<string, unknown> };

/**
 * Stores a provider receipt; false when the same (provider, id, status) was already stored (a redelivery).
 * A receipt carrying Meta's pricing also sets the ledger row's pricing facts when none are there yet (the first
 * receipt that carries them wins), in the same statement: costs add no round trip per receipt.
 */
export async function storeReceipt(db: Db, receipt: StoredReceipt & { pricing?: ReceiptPricing }): Promise<boolean> {
  const { pricing } = receipt;
  if (pricing && receipt.messageId !== null) return storeReceiptWithPricing(db, receipt, receipt.messageId, pricing);
  const inserted = await db
    .insertInto('provider_receipts')
    .values({
      provider: receipt.provider,
      provider_message_id: receipt.providerMessageId,
      status: receipt.status,
      message_id: receipt.messageId,
      payload: JSON.stringify(receipt.payload),
    })
    .onConflict((conflict) => conflict.columns(['provider', 'provider_message_id', 'status']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function storeReceiptWithPricing(db: Db, receipt: StoredReceipt, messageId: string, pricing: ReceiptPricing): Promise<boolean> {
  const { rows } = await sql<{ inserted: boolean }>`with inserted as (
      insert into provider_receipts (provider, provider_message_id, status, message_id, payload)
      values (${receipt.provider}, ${receipt.providerMessageId}, ${receipt.status}, ${messageId}, ${JSON.stringify(receipt.payload)}::jsonb)
      on conflict (provider, provider_message_id, status) do nothing returning id
    ), priced as (
      update messages set pricing_category = ${pricing.category ?? null}, pricing_billable = ${pricing.billable ?? null},
        pricing_type = ${pricing.type ?? null}, pricing_model = ${pricing.model ?? null},
        conversation_id = ${pricing.conversationId ?? null}, conversation_origin = ${pricing.conversationOrigin ?? null}
      where id = ${messageId} and pricing_category is null and pricing_billable is null and conversation_id is null
    )
    select exists (select 1 from inserted) as inserted`.execute(db);
  return rows[0]?.inserted === true;
}

/** One provider message that receipts tie to one of our messages (through the reference the provider echoed back). */
export interface ReceiptEvidence {
  provider: string;
  providerMessageId: string;
  /** From the stored receipt (Twilio reports WhatsApp and SMS on one endpoint); Meta receipts are WhatsApp. */
  channel: 'whatsapp' | 'sms';
  /** Every distinct status stored for it, in arrival order (a `failed` still proves the message was created). */
  statuses: string[];
  /** When its first receipt reached us. */
  firstReceivedAt: Date;
}

/**
 * The provider message ids whose receipts carry `messageId` (our workflow id: Meta's biz_opaque_callback_data,
 * the `ref` of Twilio's StatusCallback URL), earliest first, optionally only one provider / channel.
 * Receipts carry the message's reference, not the part's: a message sent in several parts has several ids here.
 * `reference`: a replay's own reference (`<messageId>#r<n>`); the failed run's receipts are not evidence for it.
 */
export async function findReceiptEvidence(
  db: Db,
  messageId: string,
  filter: { provider?: string; channel?: 'whatsapp' | 'sms'; reference?: string } = {},
): Promise<ReceiptEvidence[]> {
  const channel = sql<'whatsapp' | 'sms'>`coalesce(payload->>'channel', 'whatsapp')`;
  let query = db
    .selectFrom('provider_receipts')
    .select([
      'provider',
      'provider_message_id',
      channel.as('channel'),
      sql<string[]>`array_agg(status order by id)`.as('statuses'),
      sql<Date>`min(received_at)`.as('first_received_at'),
    ])
    .where('message_id', '=', messageId);
  if (filter.provider !== undefined) query = query.where('provider', '=', filter.provider);
  if (filter.channel !== undefined) query = query.where(channel, '=', filter.channel);
  // A replay sends under its own reference: only receipts carrying it prove one of its sends.
  if (filter.reference !== undefined && filter.reference !== messageId) query = query.where(sql<string>`payload->>'reference'`, '=', filter.reference);
  const rows = await query
    .groupBy(['provider', 'provider_message_id', channel])
    .orderBy('first_received_at')
    .orderBy('provider_message_id')
    .execute();
  return rows.map((row) => ({
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    channel: row.channel,
    statuses: row.statuses,
    firstReceivedAt: new Date(row.first_received_at),
  }));
}

/**
 * Of `providerMessageIds` (one provider), those already tied to a message other than `messageId`, by a receipt's
 * reference or by the ledger. A lookup that matched on content alone must never adopt one of them.
 */
export async function providerMessageIdsClaimedElsewhere(db: Db, messageId: string, provider: string, providerMessageIds: readonly string[]): Promise<Set<string>> {
  if (providerMessageIds.length === 0) return new Set();
  const ids = [...new Set(providerMessageIds)];
  const rows = await db
    .selectFrom('provider_receipts')
    .select('provider_message_id')
    .where('provider', '=', provider)
    .where('provider_message_id', 'in', ids)
    .where('message_id', 'is not', null)
    .where('message_id', '<>', messageId)
    .union(
      db
        .selectFrom('messages')
        .select('provider_message_id as provider_message_id')
        .where('provider', '=', provider)
        .where('provider_message_id', 'in', ids)
        .where('id', '<>', messageId)
        .$narrowType<{ provider_message_id: string }>(),
    )
    .execute();
  return new Set(rows.map((row) => row.provider_message_id));
}

/**
 * The locations whose messages a provider message id (or our workflow id) belongs to: by the ledger, and by earlier
 * receipts that carried a reference. A status callback is refused when any of them did not sign it.
 */
export async function locationsOwningMessage(db: Db, provider: string, providerMessageId: string, workflowId?: string): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('location_id')
    .where((eb) => eb.or([eb('provider_message_id', '=', providerMessageId), ...(workflowId !== undefined ? [eb('id', '=', workflowId)] : [])]))
    .union(
      db
        .selectFrom('provider_receipts')
        .innerJoin('messages', 'messages.id', 'provider_receipts.message_id')
        .select('messages.location_id')
        .where('provider_receipts.provider', '=', provider)
        .where('provider_receipts.provider_message_id', '=', providerMessageId),
    )
    .execute();
  return rows.map((row) => row.location_id);
}
