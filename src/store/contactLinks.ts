import { sql } from 'kysely';
import type { Db } from '../db/database';
import { canonicalWhatsAppNumber } from '../domain/phone';

/** The keys a WhatsApp sender is known by: the canonical E.164 number and/or the business-scoped user id. */
export function senderKeys(phoneE164: string | null, userId: string | null | undefined): string[] {
  return [...(phoneE164 ? [canonicalWhatsAppNumber(phoneE164)] : []), ...(userId ? [`user:${userId}`] : [])];
}

export interface ContactLink {
  contactId: string;
  phoneE164: string | null;
}

/** The HighLevel contact remembered for any of the sender's keys (the phone first). */
export async function findLinkedContact(db: Db, locationId: string, keys: string[]): Promise<ContactLink | undefined> {
  if (keys.length === 0) return undefined;
  const rows = await db
    .selectFrom('contact_links')
    .select(['sender_key', 'contact_id', 'phone_e164'])
    .where('location_id', '=', locationId)
    .where('sender_key', 'in', keys)
    .execute();
  const row = keys.map((key) => rows.find((candidate) => candidate.sender_key === key)).find(Boolean);
  return row ? { contactId: row.contact_id, phoneE164: row.phone_e164 } : undefined;
}

/** Remembers the contact under every key, so a later message carrying only the user id finds the phone too. */
export async function linkContact(db: Db, locationId: string, keys: string[], link: ContactLink): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('contact_links')
    .values(keys.map((key) => ({ location_id: locationId, sender_key: key, contact_id: link.contactId, phone_e164: link.phoneE164 })))
    .onConflict((conflict) =>
      conflict.columns(['location_id', 'sender_key']).doUpdateSet({
        contact_id: sql`excluded.contact_id`,
        phone_e164: sql`coalesce(excluded.phone_e164, contact_links.phone_e164)`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/** Drops a link HighLevel no longer honours (the contact was deleted or merged). */
export async function forgetContact(db: Db, locationId: string, contactId: string): Promise<void> {
  await db.deleteFrom('contact_links').where('location_id', '=', locationId).where('contact_id', '=', contactId).execute();
}
