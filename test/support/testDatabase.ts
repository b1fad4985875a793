import crypto from 'node:crypto';
import { Client } from 'pg';
import { createDb, migrateToLatest, type Db } from '../../src/db/database';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'ghlwa_test_';

/** Databases of one jest run share a prefix, so the global teardown can drop what a failed file left behind. */
export function testDatabasePrefix(runId = process.env.TEST_RUN_ID ?? 'adhoc'): string {
  return `${PREFIX}${runId}_`;
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** A fresh, migrated database per test file, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${testDatabasePrefix()}${crypto.randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), 5);
  await migrateToLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy().catch(() => undefined);
      await withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Drops every database of this run that is still there (a file whose teardown failed or timed out). */
export async function dropRunDatabases(runId: string): Promise<string[]> {
  return withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [testDatabasePrefix(runId)]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    return rows.map((row) => row.datname);
  });
}
