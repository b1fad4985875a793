import { sql } from 'kysely';
import type { Db } from '../db/database';
import { canonicalWhatsAppNumber } from '../domain/phone';

// Windows are keyed by the canonical number (canonicalWhatsAppNumber), whichever form of it a caller holds.

export async function lastInboundAt(db: Db, locationId: string, phoneE164: string): Promise<Date | null> {
  const row = await db
    .selectFrom('conversation_windows')
    .select('last_inbound_at')
    .where('location_id', '=', locationId)
    .where('phone_e164', '=', canonicalWhatsAppNumber(phoneE164))
    .executeTakeFirst();
  return row?.last_inbound_at ?? null;
}

/** Keeps the latest inbound time; an older, redelivered inbound never moves the window back. */
export async function recordInbound(db: Db, locationId: string, phoneE164: string, at: Date): Promise<void> {
  await db
    .insertInto('conversation_windows')
    .values({ location_id: locationId, phone_e164: canonicalWhatsAppNumber(phoneE164), last_inbound_at: at })
    .onConflict((conflict) =>
      conflict.columns(['location_id', 'phone_e164']).doUpdateSet({ last_inbound_at: sql`greatest(conversation_windows.last_inbound_at, excluded.last_inbound_at)` }),
    )
    .execute();
}
