import { sql } from 'kysely';
import type { Db } from '../db/database';
import { forgetLocation } from './locations';

/**
 * Marketplace install state. Timestamps guard against reordered webhooks: an INSTALL older than the last
 * UNINSTALL does not bring a location back, and an UNINSTALL older than the last install does not remove it.
 */

/** Creates the minimal location row when missing (WhatsApp not configured yet) and marks it installed. */
export async function markInstalled(db: Db, locationId: string, companyId: string | null, at: Date = new Date()): Promise<boolean> {
  const result = await db
    .insertInto('locations')
    .values({ id: locationId, company_id: companyId, whatsapp_backend: 'cloud', settings: '{}', installed_at: at, uninstalled_at: null })
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet({
          installed_at: at,
          uninstalled_at: null,
          company_id: sql`coalesce(excluded.company_id, locations.company_id)`,
          updated_at: sql`now()`,
        })
        .where((eb) => eb.or([eb('locations.uninstalled_at', 'is', null), eb('locations.uninstalled_at', '<=', at)])),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Forgets the locations' HighLevel tokens and marks them uninstalled; returns the ids that changed. */
export async function markUninstalled(db: Db, locationIds: string[], at: Date = new Date()): Promise<string[]> {
  if (locationIds.length === 0) return [];
  const changed = await db
    .updateTable('locations')
    .set({ uninstalled_at: at, updated_at: sql`now()` })
    .where('id', 'in', locationIds)
    .where((eb) => eb.or([eb('installed_at', 'is', null), eb('installed_at', '<=', at)]))
    .returning('id')
    .execute();
  const ids = changed.map((row) => row.id);
  for (const id of ids) forgetLocation(id);
  if (ids.length > 0) await db.deleteFrom('highlevel_tokens').where('location_id', 'in', ids).execute();
  return ids;
}

/** Every location known to belong to the agency (from the location row or its stored token). */
export async function locationsOfCompany(db: Db, companyId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('locations')
    .select('id')
    .where((eb) =>
      eb.or([eb('company_id', '=', companyId), eb('id', 'in', eb.selectFrom('highlevel_tokens').select('location_id').where('company_id', '=', companyId))]),
    )
    .execute();
  return rows.map((row) => row.id);
}

/** Records an app webhook by id; false when it was handled before (a redelivery). */
export async function recordAppWebhook(
  db: Db,
  webhook: { webhookId: string; type: string; locationId?: string | undefined; companyId?: string | undefined },
): Promise<boolean> {
  const inserted = await db
    .insertInto('highlevel_app_webhooks')
    .values({ webhook_id: webhook.webhookId, type: webhook.type, location_id: webhook.locationId ?? null, company_id: webhook.companyId ?? null })
    .onConflict((conflict) => conflict.column('webhook_id').doNothing())
    .returning('webhook_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
