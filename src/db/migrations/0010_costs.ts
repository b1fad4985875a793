import { sql, type Kysely } from 'kysely';

/**
 * Costs (issue 18). On the ledger row: the SMS segments the text takes (written when the row is opened), Meta's
 * pricing facts from the first status that carries them (written by the same statement that stores that receipt),
 * and Twilio's price of the fallback SMS once final (fetched when a report first needs it). Rate cards per location
 * and effective day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('sms_segments', 'smallint')
    .addColumn('sms_encoding', 'text')
    .addColumn('pricing_category', 'text')
    .addColumn('pricing_billable', 'boolean')
    .addColumn('pricing_type', 'text')
    .addColumn('pricing_model', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('conversation_origin', 'text')
    .addColumn('sms_price', 'numeric')
    .addColumn('sms_price_unit', 'text')
    .addColumn('sms_billed_segments', 'smallint')
    .execute();
  await db.schema
    .createTable('location_rates')
    .addColumn('location_id', 'text', (col) => col.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('effective_from', 'date', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('whatsapp', 'jsonb', (col) => col.notNull())
    .addColumn('sms', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('location_rates_pkey', ['location_id', 'effective_from'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('location_rates').execute();
  await db.schema
    .alterTable('messages')
    .dropColumn('sms_segments')
    .dropColumn('sms_encoding')
    .dropColumn('pricing_category')
    .dropColumn('pricing_billable')
    .dropColumn('pricing_type')
    .dropColumn('pricing_model')
    .dropColumn('conversation_id')
    .dropColumn('conversation_origin')
    .dropColumn('sms_price')
    .dropColumn('sms_price_unit')
    .dropColumn('sms_billed_segments')
    .execute();
}
