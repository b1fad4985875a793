import { sql } from 'kysely';
import { migrateTo, migrateToLatest } from '../../src/db/database';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

/** Migration 0009: the ledger's cost columns and the rate cards come and go without touching the rows. */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const messageColumns = async () =>
  (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'messages'`.execute(database.db)).rows.map((row) => row.column_name);

it('adds the cost columns and location_rates, and takes them away again', async () => {
  await migrateToLatest(database.db);
  expect(await messageColumns()).toEqual(expect.arrayContaining(['sms_segments', 'pricing_category', 'conversation_id', 'sms_price']));
  await migrateTo(database.db, '0008_replays');
  expect(await messageColumns()).not.toContain('sms_segments');
  expect((await sql`select to_regclass('location_rates') as t`.execute(database.db)).rows).toEqual([{ t: null }]);
  await migrateToLatest(database.db);
  expect(await messageColumns()).toContain('sms_billed_segments');
});
