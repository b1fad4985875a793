import type { Kysely } from 'kysely';

/**
 * The last account-level error Meta reported for a location's business number (webhook `value.errors`), shown in
 * the location's admin view so ops see why WhatsApp stopped working without reading logs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('locations').addColumn('whatsapp_account_error', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('locations').dropColumn('whatsapp_account_error').execute();
}
