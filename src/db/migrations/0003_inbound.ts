import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per inbound WhatsApp message: the durable dedupe key beyond Temporal's retention, and what happened to it.
  await db.schema
    .createTable('inbound_messages')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('provider_message_id', 'text', (col) => col.notNull())
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text')
    .addColumn('from_user_id', 'text')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('received', 'delivered', 'failed')`))
    .addColumn('status_reason', 'text')
    .addColumn('keyword_action', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('highlevel_message_id', 'text')
    .addColumn('confirmation_message_id', 'text')
    .addColumn('detail', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbound_messages_pk', ['provider', 'provider_message_id'])
    .execute();
  await db.schema.createIndex('inbound_messages_sender').on('inbound_messages').columns(['location_id', 'phone_e164', 'occurred_at']).execute();

  // Which HighLevel contact a WhatsApp sender is, per location: keyed by E.164 or `user:<business-scoped user id>`.
  await db.schema
    .createTable('contact_links')
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('sender_key', 'text', (col) => col.notNull())
    .addColumn('contact_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_links_pk', ['location_id', 'sender_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contact_links').execute();
  await db.schema.dropTable('inbound_messages').execute();
}
