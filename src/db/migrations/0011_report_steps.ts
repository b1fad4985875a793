import { sql, type Kysely } from 'kysely';

/**
 * The workflow step that wrote an event (a delivery run's `<run id>/report:<n>`): a report run again (a local activity whose workflow
 * task the server refused, a worker that died after the write) adds its events once, however often it runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('message_events').addColumn('step', 'text').execute();
  await sql`create unique index message_events_step on message_events (message_id, step, type) where step is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('message_events_step').execute();
  await db.schema.alterTable('message_events').dropColumn('step').execute();
}
