import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('contact_id', 'text', (col) => col.notNull())
    .addColumn('highlevel_message_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text')
    .addColumn('channel', 'text', (col) => col.notNull().defaultTo('none'))
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('messages_location_highlevel_message', ['location_id', 'highlevel_message_id'])
    .execute();
  await db.schema.createIndex('messages_provider_message_id').on('messages').column('provider_message_id').execute();

  await db.schema
    .createTable('message_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('message_id', 'text', (col) => col.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('detail', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.createIndex('message_events_message').on('message_events').columns(['message_id', 'id']).execute();

  await db.schema
    .createTable('provider_receipts')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('provider_message_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('message_id', 'text')
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('provider_receipts_dedupe', ['provider', 'provider_message_id', 'status'])
    .execute();

  await db.schema
    .createTable('consent_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('unknown', 'opted_in', 'opted_out')`))
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('evidence', 'text')
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.createIndex('consent_events_lookup').on('consent_events').columns(['location_id', 'phone_e164', 'id']).execute();

  await db.schema
    .createTable('conversation_windows')
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text', (col) => col.notNull())
    .addColumn('last_inbound_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('conversation_windows_pk', ['location_id', 'phone_e164'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['conversation_windows', 'consent_events', 'provider_receipts', 'message_events', 'messages']) {
    await db.schema.dropTable(table).execute();
  }
}
