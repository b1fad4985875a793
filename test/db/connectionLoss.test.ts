import net from 'node:net';
import { sql } from 'kysely';
import { createDb } from '../../src/db/database';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { waitFor } from '../support/waitFor';

/**
 * A PostgreSQL connection that dies while a client is checked out (a restart, a failover, a proxy's idle kill) fails
 * the query in flight and nothing else: the process stays up and the next query reconnects. The connections run
 * through a TCP relay the test can cut, so the shared PostgreSQL itself is never stopped.
 */
let database: TestDatabase;
let relay: net.Server;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  relay = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => relay.close(() => resolve()));
  await database.drop();
});

it('fails the transaction in flight, keeps the process up, and serves the next query', async () => {
  const url = new URL(database.url);
  url.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
  const db = createDb(url.toString(), 2);
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
    for (const socket of sockets) socket.destroy();
    await expect(inFlight).rejects.toThrow();
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(db);
    expect(rows).toEqual([{ ok: 1 }]);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await db.destroy();
  }
});
