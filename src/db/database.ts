import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import { Client, Pool } from 'pg';
import type { Database } from './schema';
import * as foundation from './migrations/0001_foundation';
import * as messageLedger from './migrations/0002_message_ledger';
import * as inbound from './migrations/0003_inbound';
import * as templates from './migrations/0004_templates';
import * as installState from './migrations/0005_install_state';
import * as receiptsByMessage from './migrations/0006_receipts_by_message';
import * as whatsAppIds from './migrations/0007_whatsapp_ids';
import * as replays from './migrations/0008_replays';
import * as whatsAppAccountError from './migrations/0009_whatsapp_account_error';
import * as costs from './migrations/0010_costs';
import * as reportSteps from './migrations/0011_report_steps';

export type Db = Kysely<Database>;

/** Migrations are imported (not read from disk) so the same list runs from ts sources, dist and bundles. */
const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_message_ledger': messageLedger,
  '0003_inbound': inbound,
  '0004_templates': templates,
  '0005_install_state': installState,
  '0006_receipts_by_message': receiptsByMessage,
  '0007_whatsapp_ids': whatsAppIds,
  '0008_replays': replays,
  '0009_whatsapp_account_error': whatsAppAccountError,
  '0010_costs': costs,
  '0011_report_steps': reportSteps,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle connection dropped by the server (restart, failover) must not crash the process: the pool
  // discards it and the next query reconnects; /readyz reports the outage meanwhile.
  pool.on('error', (error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`));
  // A checked-out client whose socket dies (mid-transaction, during a restart) emits 'error' on itself, not on the
  // pool: without a listener that is an unhandled 'error' event and the process exits. The query in flight fails
  // instead (the request answers 503, the activity is retried) and the pool replaces the client.
  pool.on('connect', (client) => {
    client.on('error', (error) => process.emitWarning(`PostgreSQL connection lost while in use: ${error.message}`));
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Up or down to the named migration (tests of a migration's data changes). */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** Creates the database named in the URL when it does not exist (the embedded default's first run). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL: no database name in the URL');
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database ${client.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
