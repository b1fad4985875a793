import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { LocationRow, NewLocation, WhatsAppAccountError } from '../db/schema';
import type { LocationSettings } from '../domain/locationSettings';
import { RecentCache } from './recentCache';

export async function findLocation(db: Db, locationId: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('id', '=', locationId).executeTakeFirst();
}

/**
 * A location read within the last second, else read now. Plan and send run back to back in one workflow task and
 * would otherwise read the same row twice. Writes through this module forget the row at once; a change made by
 * another process (the admin API in the api process) is seen within the second.
 */
const recent = new RecentCache<LocationRow>(1_000, 1_000);

export async function findLocationRecent(db: Db, locationId: string): Promise<LocationRow | undefined> {
  const cached = recent.get(locationId);
  if (cached) return cached;
  const row = await findLocation(db, locationId);
  if (row) recent.set(locationId, row);
  return row;
}

export function forgetLocation(locationId: string): void {
  recent.delete(locationId);
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
  forgetLocation(input.id);
}

/** Account-level WhatsApp errors (spam limit, policy, expired token) stop the sender until ops clear it. */
export async function pauseSender(db: Db, locationId: string, reason: string): Promise<void> {
  await db.updateTable('locations').set({ sender_paused_reason: reason, updated_at: sql`now()` }).where('id', '=', locationId).execute();
  forgetLocation(locationId);
}

/** Keeps the last account-level WhatsApp error Meta reported for the business number (shown in the admin view). */
export async function recordWhatsAppAccountError(db: Db, phoneNumberId: string, error: WhatsAppAccountError): Promise<string[]> {
  const rows = await db
    .updateTable('locations')
    .set({ whatsapp_account_error: JSON.stringify(error), updated_at: sql`now()` })
    .where('whatsapp_phone_number_id', '=', phoneNumberId)
    .returning('id')
    .execute();
  for (const row of rows) forgetLocation(row.id);
  return rows.map((row) => row.id);
}

/** Ops cleared the cause: new messages go out again (the caller releases the held ones). */
export async function resumeSender(db: Db, locationId: string): Promise<void> {
  await db.updateTable('locations').set({ sender_paused_reason: null, updated_at: sql`now()` }).where('id', '=', locationId).execute();
  forgetLocation(locationId);
}

export async function listLocations(db: Db): Promise<LocationRow[]> {
  return db.selectFrom('locations').selectAll().orderBy('name').orderBy('id').execute();
}
