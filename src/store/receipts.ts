import type { Db } from '../db/database';

/** Stores a provider receipt; false when the same (provider, id, status) was already stored (a redelivery). */
export async function storeReceipt(
  db: Db,
  receipt: { provider: string; providerMessageId: string; status: string; messageId: string | null; payload: Record<string, unknown> },
): Promise<boolean> {
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
