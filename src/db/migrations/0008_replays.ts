import { sql, type Kysely } from 'kysely';

/**
 * Replays of failed deliveries and releases of held ones (src/replay): a job and its items, worked through by the
 * api at a bounded rate. In PostgreSQL so that a job survives an api restart (a claimed item is claimed again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('replays')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('location_id', 'text')
    .addColumn('filter', 'jsonb', (col) => col.notNull())
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('replay_items')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('replay_id', 'text', (col) => col.notNull().references('replays.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('detail', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('run_id', 'text')
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('replay_items_replay').on('replay_items').columns(['replay_id', 'id']).execute();
  await db.schema.createIndex('replay_items_open').on('replay_items').column('id').where(sql.ref('state'), 'in', sql`('pending', 'claimed')`).execute();
  // The filter of a replay: a location's messages by time.
  await db.schema.createIndex('messages_location_created').on('messages').columns(['location_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_location_created').execute();
  await db.schema.dropTable('replay_items').execute();
  await db.schema.dropTable('replays').execute();
}
