/**
 * Preloaded (`node --require …/childGuard.js`) into the api and worker processes that `npm start` spawns
 * (src/supervisor.ts). Two small duties, neither of which changes what the process itself does:
 *
 * 1. **Never outlive the supervisor.** The children run in their own process groups (so a terminal's Ctrl-C reaches
 *    only the supervisor, which then stops them in order). If the supervisor disappears without stopping them
 *    (SIGKILL, crash), the child notices its parent changed and stops itself with SIGTERM, i.e. through its own graceful
 *    shutdown; if that does not finish within 15 s it exits.
 * 2. **Opt-in SQL statement counter** (`GHLWA_SQL_STATS_DIR`, used by `npm run bench`): counts every statement this
 *    process sends to PostgreSQL through `pg` (kysely uses it), by kind, and keeps
 *    `<dir>/<role>-<pid>.json` written when asked (SIGWINCH) and at exit, never on a timer, so that counting adds no
 *    work to what the bench measures. SIGWINCH because its default is to be ignored and nothing else here uses it
 *    (the Temporal SDK's runtime shuts the worker down on SIGUSR2, Node opens its inspector on SIGUSR1). Unset:
 *    nothing is patched.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROLE = process.env.GHLWA_CHILD_ROLE ?? path.basename(process.argv[1] ?? 'node', '.js');

function guardParent(): void {
  if (process.env.GHLWA_SUPERVISED !== '1') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.stderr.write(`[${ROLE}] supervisor (pid ${parent}) is gone: stopping\n`);
    setTimeout(() => process.exit(1), 15_000).unref();
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  timer.unref();
}

export interface SqlStats {
  role: string;
  pid: number;
  /** Every statement sent, BEGIN/COMMIT/ROLLBACK included. */
  statements: number;
  byKind: Record<string, number>;
  /** Statements sent outside BEGIN … COMMIT/ROLLBACK: each is a transaction (and a commit) of its own. */
  autocommit: number;
  /** Committed transactions that changed something (not only SELECT/SHOW), single statements included. */
  writeCommits: number;
  at: number;
}

function countSqlStatements(dir: string): void {
  // Loaded only when the bench asks for SQL counts: the guard must not load pg into every child otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  const stats: SqlStats = { role: ROLE, pid: process.pid, statements: 0, byKind: {}, autocommit: 0, writeCommits: 0, at: Date.now() };
  /** Per connection: inside BEGIN…, and whether that transaction wrote. */
  const open = new WeakMap<object, { wrote: boolean }>();
  const file = path.join(dir, `${ROLE}-${process.pid}.json`);
  const write = () => {
    stats.at = Date.now();
    try {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(stats));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // the directory went away (the bench ended): nothing to report to
    }
  };
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function countedQuery(this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    const kind = (/^\s*([a-z]+)/i.exec(text ?? '')?.[1] ?? 'other').toLowerCase();
    stats.statements += 1;
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
    const client = this as object;
    const writes = kind !== 'select' && kind !== 'show';
    const transaction = open.get(client);
    if (kind === 'begin' || kind === 'start') open.set(client, { wrote: false });
    else if (kind === 'commit' || kind === 'end') {
      if (transaction?.wrote) stats.writeCommits += 1;
      open.delete(client);
    } else if (kind === 'rollback' || kind === 'abort') open.delete(client);
    else if (transaction) transaction.wrote ||= writes;
    else {
      stats.autocommit += 1;
      if (writes) stats.writeCommits += 1;
    }
    return original.apply(this, args);
  };
  fs.mkdirSync(dir, { recursive: true });
  write();
  process.on('SIGWINCH', write);
  process.on('exit', write);
}

guardParent();
if (process.env.GHLWA_SQL_STATS_DIR) countSqlStatements(process.env.GHLWA_SQL_STATS_DIR);
