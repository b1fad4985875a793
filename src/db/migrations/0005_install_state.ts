import { sql, type Kysely } from 'kysely';

/** Marketplace install state per location, and the app webhooks already handled (HighLevel redelivers them). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('locations')
    .addColumn('installed_at', 'timestamptz')
    // Set by UNINSTALL: the Delivery URL then treats the location as unknown until it installs again.
    .addColumn('uninstalled_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('locations_company_id').on('locations').column('company_id').execute();

  await db.schema
    .createTable('highlevel_app_webhooks')
    .addColumn('webhook_id', 'text', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('location_id', 'text')
    .addColumn('company_id', 'text')
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('highlevel_app_webhooks').execute();
  await db.schema.dropIndex('locations_company_id').execute();
  await db.schema.alterTable('locations').dropColumn('uninstalled_at').dropColumn('installed_at').execute();
}
