/** The bench's PostgreSQL side: commit counters, database cleanup, and the product's opt-in SQL statement counts. */
import fs from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';

export async function withPostgres<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function commitsOf(database: string): Promise<{ commits: number; rollbacks: number }> {
  return withPostgres(async (client) => {
    const { rows } = await client.query<{ xact_commit: string; xact_rollback: string }>('select xact_commit, xact_rollback from pg_stat_database where datname = $1', [database]);
    return { commits: Number(rows[0]?.xact_commit ?? 0), rollbacks: Number(rows[0]?.xact_rollback ?? 0) };
  });
}

/** Waits until no backend is connected to `database` (a backend publishes its counters as it exits). */
export async function waitForNoBackends(database: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withPostgres(async (client) => {
    for (;;) {
      const { rows } = await client.query<{ backends: number }>('select count(*)::int as backends from pg_stat_activity where datname = $1', [database]);
      if ((rows[0]?.backends ?? 0) === 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
}

export async function dropDatabase(database: string): Promise<void> {
  await withPostgres((client) => client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`)).catch(() => undefined);
}

export interface SqlTotals {
  statements: number;
  autocommit: number;
  writeCommits: number;
  byKind: Record<string, number>;
  byRole: Record<string, number>;
}

/**
 * Asks every counting process (SIGWINCH; a file per process, named `<role>-<pid>.json`) to write its counts now, waits
 * until each has, and adds them up. A process that has exited wrote its last counts as it went.
 */
export async function collectSqlStats(dir: string, timeoutMs = 10_000): Promise<SqlTotals> {
  const asked = Date.now();
  const pending = new Set<string>();
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.json')) : []) {
    const pid = Number(/-(\d+)\.json$/.exec(file)?.[1]);
    try {
      process.kill(pid, 'SIGWINCH');
      pending.add(file);
    } catch {
      // gone: its exit write is final
    }
  }
  const deadline = asked + timeoutMs;
  while (pending.size > 0) {
    for (const file of [...pending]) if (writtenAt(path.join(dir, file)) >= asked) pending.delete(file);
    if (pending.size === 0) break;
    if (Date.now() > deadline) throw new Error(`SQL counts not written within ${timeoutMs} ms: ${[...pending].join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return readSqlStats(dir);
}

function writtenAt(file: string): number {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { at: number }).at;
  } catch {
    return 0; // being rewritten
  }
}

function readSqlStats(dir: string): SqlTotals {
  const totals: SqlTotals = { statements: 0, autocommit: 0, writeCommits: 0, byKind: {}, byRole: {} };
  if (!fs.existsSync(dir)) return totals;
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    try {
      const stats = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { role: string; statements: number; autocommit: number; writeCommits: number; byKind: Record<string, number> };
      totals.statements += stats.statements;
      totals.autocommit += stats.autocommit;
      totals.writeCommits += stats.writeCommits;
      totals.byRole[stats.role] = (totals.byRole[stats.role] ?? 0) + stats.statements;
      for (const [kind, count] of Object.entries(stats.byKind)) totals.byKind[kind] = (totals.byKind[kind] ?? 0) + count;
    } catch {
      // being rewritten: the next read gets it
    }
  }
  return totals;
}

export function subtractSql(after: SqlTotals, before: SqlTotals): SqlTotals {
  const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value - (b[key] ?? 0)]));
  return { statements: after.statements - before.statements, autocommit: after.autocommit - before.autocommit, writeCommits: after.writeCommits - before.writeCommits, byKind: minus(after.byKind, before.byKind), byRole: minus(after.byRole, before.byRole) };
}
