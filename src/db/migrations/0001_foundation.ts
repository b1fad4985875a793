import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('company_id', 'text')
    .addColumn('name', 'text')
    .addColumn('whatsapp_backend', 'text', (col) => col.notNull().defaultTo('cloud').check(sql`whatsapp_backend in ('cloud', 'twilio')`))
    .addColumn('whatsapp_phone_number_id', 'text')
    .addColumn('whatsapp_waba_id', 'text')
    .addColumn('whatsapp_access_token_enc', 'text')
    .addColumn('twilio_account_sid', 'text')
    .addColumn('twilio_auth_token_enc', 'text')
    .addColumn('twilio_whatsapp_from', 'text')
    .addColumn('twilio_sms_from', 'text')
    .addColumn('twilio_messaging_service_sid', 'text')
    .addColumn('delivery_token_hash', 'text')
    .addColumn('settings', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sender_paused_reason', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('locations_phone_number_id').unique().on('locations').column('whatsapp_phone_number_id').execute();

  await db.schema
    .createTable('highlevel_tokens')
    .addColumn('location_id', 'text', (col) => col.primaryKey().references('locations.id').onDelete('cascade'))
    .addColumn('company_id', 'text')
    .addColumn('access_token_enc', 'text', (col) => col.notNull())
    .addColumn('refresh_token_enc', 'text')
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('highlevel_tokens').execute();
  await db.schema.dropTable('locations').execute();
}
