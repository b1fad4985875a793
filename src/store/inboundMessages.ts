import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { InboundMessagesTable } from '../db/schema';

export interface NewInboundMessage {
  provider: string;
  providerMessageId: string;
  locationId: string;
  phoneE164: string | null;
  fromUserId: string | null;
  type: string;
  occurredAt: Date;
  keywordAction: string | null;
  detail: Record<string, unknown>;
}

export interface InboundRecord {
  status: InboundMessagesTable['status'];
  keywordAction: string | null;
  contactId: string | null;
  highLevelMessageId: string | null;
  confirmationMessageId: string | null;
  detail: Record<string, unknown>;
}

/** Inserts the message's row; `fresh` is false when it was already on record (a redelivery or a retried step). */
export async function claimInboundMessage(db: Db, message: NewInboundMessage): Promise<{ fresh: boolean; record: InboundRecord }> {
  const inserted = await db
    .insertInto('inbound_messages')
    .values({
      provider: message.provider,
      provider_message_id: message.providerMessageId,
      location_id: message.locationId,
      phone_e164: message.phoneE164,
      from_user_id: message.fromUserId,
      type: message.type,
      occurred_at: message.occurredAt,
      status: 'received',
      keyword_action: message.keywordAction,
      detail: JSON.stringify(message.detail),
    })
    .onConflict((conflict) => conflict.columns(['provider', 'provider_message_id']).doNothing())
    .returning('provider_message_id')
    .executeTakeFirst();
  const record = await findInboundMessage(db, message.provider, message.providerMessageId);
  if (!record) throw new Error('inbound message row vanished right after it was written');
  return { fresh: inserted !== undefined, record };
}

export async function findInboundMessage(db: Db, provider: string, providerMessageId: string): Promise<InboundRecord | undefined> {
  const row = await db
    .selectFrom('inbound_messages')
    .select(['status', 'keyword_action', 'contact_id', 'highlevel_message_id', 'confirmation_message_id', 'detail'])
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    status: row.status,
    keywordAction: row.keyword_action,
    contactId: row.contact_id,
    highLevelMessageId: row.highlevel_message_id,
    confirmationMessageId: row.confirmation_message_id,
    detail: row.detail,
  };
}

export interface InboundChange {
  status?: InboundMessagesTable['status'];
  statusReason?: string | null;
  contactId?: string;
  highLevelMessageId?: string;
  confirmationMessageId?: string;
  /** Merged into the stored detail. */
  detail?: Record<string, unknown>;
}

export async function updateInboundMessage(db: Db, provider: string, providerMessageId: string, change: InboundChange): Promise<void> {
  await db
    .updateTable('inbound_messages')
    .set({
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.statusReason !== undefined ? { status_reason: change.statusReason } : {}),
      ...(change.contactId !== undefined ? { contact_id: change.contactId } : {}),
      ...(change.highLevelMessageId !== undefined ? { highlevel_message_id: change.highLevelMessageId } : {}),
      ...(change.confirmationMessageId !== undefined ? { confirmation_message_id: change.confirmationMessageId } : {}),
      ...(change.detail ? { detail: sql`detail || ${JSON.stringify(change.detail)}::jsonb` } : {}),
      updated_at: sql`now()`,
    })
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .execute();
}

/** The keyword (opt_out/opt_in) of the sender's latest SMS before `before` that was one; SMS rows carry detail.channel 'sms'. */
export async function lastSmsKeywordAction(db: Db, locationId: string, phoneE164: string, before: Date): Promise<string | null> {
  const row = await db
    .selectFrom('inbound_messages')
    .select('keyword_action')
    .where('location_id', '=', locationId)
    .where('phone_e164', '=', phoneE164)
    .where('keyword_action', 'is not', null)
    .where(sql<string>`detail->>'channel'`, '=', 'sms')
    .where('occurred_at', '<', before)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.keyword_action ?? null;
}
