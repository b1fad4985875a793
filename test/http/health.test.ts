import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/database';
import { buildApp } from '../../src/http/app';
import { SecretBox } from '../../src/security/secretBox';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { listenOnFreePort } from '../support/waitFor';

let database: TestDatabase;
let liveConnection: Connection;
beforeAll(async () => {
  database = await createTestDatabase();
  liveConnection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS as string });
});
afterAll(async () => {
  await liveConnection?.close();
  await database?.drop();
});

async function get(app: ReturnType<typeof appWith>, path: string) {
  const response = await fetch(`${await listenOnFreePort(app)}${path}`);
  return { statusCode: response.status, json: await response.json() };
}

function appWith(options: { databaseUrl?: string; temporal?: Client }) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: options.databaseUrl ?? database.url });
  const db = options.databaseUrl ? createDb(options.databaseUrl, 1) : database.db;
  const temporal = options.temporal ?? new Client({ connection: liveConnection, namespace: 'default' });
  const app = buildApp({ config, db, temporal, box: new SecretBox(crypto.randomBytes(32).toString('base64')) });
  app.addHook('onClose', async () => {
    if (options.databaseUrl) await db.destroy();
  });
  return app;
}

describe('health endpoints', () => {
  it('GET /healthz answers while dependencies are down', async () => {
    const app = appWith({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    const response = await get(app, '/healthz');
    expect(response.json).toEqual({ status: 'alive' });
    await app.close();
  });

  it('GET /readyz answers 200 when PostgreSQL and Temporal are reachable', async () => {
    const app = appWith({});
    const response = await get(app, '/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ status: 'ready', checks: { postgres: { ok: true }, temporal: { ok: true } } });
    await app.close();
  });

  it('GET /readyz answers 503 naming PostgreSQL when the database is unreachable', async () => {
    const app = appWith({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    const response = await get(app, '/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json).toMatchObject({
      status: 'unavailable',
      error: 'postgres unreachable',
      checks: { postgres: { ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) }, temporal: { ok: true } },
    });
    await app.close();
  });

  it('GET /readyz answers 503 naming Temporal when it is unreachable', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
    const app = appWith({ temporal: new Client({ connection, namespace: 'default' }) });
    const response = await get(app, '/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json).toMatchObject({ error: 'temporal unreachable', checks: { postgres: { ok: true }, temporal: { ok: false } } });
    await app.close();
    await connection.close().catch(() => undefined);
  });
});
