import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Receipts by our message reference: a send whose outcome was lost is reconciled from the receipts that carry the
 * message's workflow id (src/store/receipts.ts findReceiptEvidence). Partial: unmatched receipts have no reference.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('provider_receipts_message')
    .on('provider_receipts')
    .columns(['message_id', 'received_at'])
    .where(sql.ref('message_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('provider_receipts_message').execute();
}
