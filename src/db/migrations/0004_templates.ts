import { sql, type Kysely } from 'kysely';

/** The WhatsApp template registry per location, its status history, explicit rules and sync state. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('whatsapp_templates')
    .addColumn('location_id', 'text', (col) => col.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('waba_id', 'text', (col) => col.notNull())
    .addColumn('meta_id', 'text')
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('parameter_format', 'text', (col) => col.notNull().defaultTo('POSITIONAL').check(sql`parameter_format in ('POSITIONAL', 'NAMED')`))
    .addColumn('components', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('body', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('header', 'jsonb')
    .addColumn('footer', 'text')
    .addColumn('buttons', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status_changed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('first_synced_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_synced_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('whatsapp_templates_pk', ['location_id', 'name', 'language'])
    .execute();

  await db.schema
    .createTable('whatsapp_template_status_changes')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('location_id', 'text', (col) => col.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull().defaultTo('sync'))
    .addColumn('changed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema
    .createIndex('whatsapp_template_status_changes_lookup')
    .on('whatsapp_template_status_changes')
    .columns(['location_id', 'name', 'language', 'id'])
    .execute();

  await db.schema
    .createTable('template_rules')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('location_id', 'text', (col) => col.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('label', 'text')
    .addColumn('priority', 'integer', (col) => col.notNull().defaultTo(100))
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('pattern_kind', 'text', (col) => col.notNull().check(sql`pattern_kind in ('regex', 'prefix')`))
    .addColumn('pattern', 'text', (col) => col.notNull())
    .addColumn('pattern_flags', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('template_name', 'text', (col) => col.notNull())
    .addColumn('template_language', 'text')
    .addColumn('parameters', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('when_window_open', 'text', (col) => col.notNull().defaultTo('free_text').check(sql`when_window_open in ('free_text', 'template')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('template_rules_location').on('template_rules').columns(['location_id', 'priority', 'created_at']).execute();

  await db.schema
    .createTable('template_settings')
    .addColumn('location_id', 'text', (col) => col.primaryKey().references('locations.id').onDelete('cascade'))
    .addColumn('language', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('last_sync_error', 'text')
    .addColumn('last_sync_error_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['template_settings', 'template_rules', 'whatsapp_template_status_changes', 'whatsapp_templates']) {
    await db.schema.dropTable(table).execute();
  }
}
