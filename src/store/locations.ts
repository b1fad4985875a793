import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { LocationRow, LocationSettings, NewLocation } from '../db/schema';

export async function findLocation(db: Db, locationId: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('id', '=', locationId).executeTakeFirst();
}

export async function findLocationByPhoneNumberId(db: Db, phoneNumberId: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('whatsapp_phone_number_id', '=', phoneNumberId).executeTakeFirst();
}

/** Every location on a Twilio account (an agency may share one account across sub-accounts). */
export async function findLocationsByTwilioAccountSid(db: Db, accountSid: string): Promise<LocationRow[]> {
  return db.selectFrom('locations').selectAll().where('twilio_account_sid', '=', accountSid).execute();
}

export type LocationInput = Omit<NewLocation, 'settings' | 'created_at' | 'updated_at'> & { settings?: LocationSettings };

export async function upsertLocation(db: Db, input: LocationInput): Promise<void> {
  const values = { ...input, settings: JSON.stringify(input.settings ?? {}) };
  const { id: _id, ...updates } = values;
  await db
    .insertInto('locations')
    .values(values)
    .onConflict((conflict) => conflict.column('id').doUpdateSet({ ...updates, updated_at: sql`now()` }))
    .execute();
}

/** Account-level WhatsApp errors (spam limit, policy, expired token) stop the sender until ops clear it. */
export async function pauseSender(db: Db, locationId: string, reason: string): Promise<void> {
  await db.updateTable('locations').set({ sender_paused_reason: reason, updated_at: sql`now()` }).where('id', '=', locationId).execute();
}
