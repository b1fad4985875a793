import { sql } from 'kysely';
import { createDb } from '../../src/db/database';
import { DatabaseRelay } from '../support/databaseRelay';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { waitFor } from '../support/waitFor';

/**
 * A PostgreSQL connection that dies while a client is checked out (a restart, a failover, a proxy's idle kill) fails
 * the query in flight and nothing else: the process stays up and the next query reconnects. The connections run
 * through a TCP relay the test can cut, so the shared PostgreSQL itself is never stopped.
 */
let database: TestDatabase;
let relay: DatabaseRelay;

beforeAll(async () => {
  database = await createTestDatabase();
  relay = await DatabaseRelay.start(database.url);
});
afterAll(async () => {
  await relay.cut();
  await database.drop();
});

it('fails the transaction in flight, keeps the process up, and serves the next query', async () => {
  const db = createDb(relay.url, 2);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const inFlight = db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await sql`select pg_sleep(5)`.execute(trx);
    });
    // Cut every connection once the transaction is inside its long statement (seen from a direct connection).
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(5)' and state = 'active'`.execute(database.db);
      return rows[0]?.n === 1;
    }, { what: 'the transaction running its statement' });
    await relay.cut();
    await relay.resume();
    await expect(inFlight).rejects.toThrow();
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(db);
    expect(rows).toEqual([{ ok: 1 }]);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await db.destroy();
  }
});
