import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../../../src/db/database';
import { recordInbound } from '../../../src/store/conversationWindows';
import { Supervisor } from '../../../src/supervisor';
import { startRealTemporalServer, type RealTemporalServer } from '../../../src/temporal/realServer';
import { freePort } from '../../support/waitFor';
import type { Options } from './options';
import { dropDatabase } from './postgres';
import { allProcesses, readProc } from './procStats';
import { distRoot, exitedEarly, waitFor, type BenchSession, type SystemUnderTest } from './session';
import { ACCOUNT, ADMIN_TOKEN, LOCATION, META_APP_SECRET, type World } from './world';

/**
 * The shipped default: `node dist-bench/src/main.js`, i.e. `npm start` itself, with SIMULATORS=off and pointed at the
 * bench's simulators; the location configured through the admin API, every contact's window open.
 * `earlierRoot`: another built checkout instead (`earlier`), started the same way; before the api and the worker
 * were split (issue 11) it is one process, and before the SQL counter its statements are not counted.
 */
export async function startProduct(session: BenchSession, world: World, phones: string[], temporalKind: Options['temporal'], earlierRoot?: string): Promise<SystemUnderTest> {
  const builtRoot = earlierRoot ? path.join(path.resolve(earlierRoot), 'dist') : distRoot;
  const countsSql = fs.existsSync(path.join(builtRoot, 'src', 'childGuard.js'));
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const database = `ghlwa_bench_${crypto.randomBytes(4).toString('hex')}`;
  // A real cluster (its databases named after the bench's), given to npm start as TEMPORAL_ADDRESS: no dev server then.
  const realServer: RealTemporalServer | undefined =
    temporalKind === 'real' ? await startRealTemporalServer({ databaseName: `${database}_temporal`, dropDatabasesOnStop: true, progress: (line) => console.log(line) }) : undefined;
  if (realServer) session.onCleanup(() => realServer.stop());
  const temporalAddress = realServer?.address ?? `127.0.0.1:${devPort}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const name = earlierRoot ? 'earlier' : 'product';
  const dataDir = path.join(session.root, `${name}-data`);
  const sqlStatsDir = path.join(session.root, `${name}-sql`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['TEMPORAL_ADDRESS', 'PUBLIC_BASE_URL', 'ENCRYPTION_KEY', 'HIGHLEVEL_CLIENT_ID', 'HIGHLEVEL_CLIENT_SECRET', 'LOG_LEVEL', 'NODE_ENV', 'HOST']) delete env[key];
  Object.assign(env, {
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(devPort),
    TEMPORAL_UI_PORT: String(uiPort),
    SIMULATORS: 'off',
    HIGHLEVEL_API_BASE_URL: world.highLevel.baseUrl,
    HIGHLEVEL_WEBHOOK_PUBLIC_KEY: world.highLevel.deliveryCaller.publicKeyPem,
    WHATSAPP_GRAPH_BASE_URL: world.meta.baseUrl,
    META_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'bench-verify-token',
    ADMIN_TOKEN,
    ...(countsSql ? { GHLWA_SQL_STATS_DIR: sqlStatsDir } : {}),
    ...(realServer ? { TEMPORAL_ADDRESS: realServer.address } : {}),
  });
  // Running when the supervisor says so; a one-process build has no supervisor and is running once it listens.
  let running = false;
  let supervised = false;
  let listening = false;
  const watchLine = (line: string) => {
    session.keepLine(line);
    supervised ||= line.includes('[supervisor]');
    listening ||= line.includes('[api] listening on');
    running ||= line.includes('[supervisor] running') || (listening && !supervised);
  };
  const supervisor = new Supervisor({ graceMs: 60_000, output: { stdout: watchLine, stderr: watchLine }, say: session.keepLine });
  session.onCleanup(() => supervisor.stop(), () => dropDatabase(database));
  const main = supervisor.start({ name: 'npm-start', entry: path.join(builtRoot, 'src', 'main.js'), env });
  await waitFor('npm start', async () => running, 300_000, exitedEarly(main));

  const apiUrl = `http://127.0.0.1:${port}`;
  const children = allProcesses().filter((sample) => sample.ppid === main.pid);
  const find = (label: string, match: (cmdline: string) => boolean) => {
    const found = children.find((sample) => match(sample.cmdline));
    if (!found) throw new Error(`npm start: no ${label} process among its children`);
    return { label, pid: found.pid };
  };
  const split = children.some((sample) => sample.cmdline.endsWith('/api.js'));
  const processes = [
    ...(split
      ? [{ label: 'npm start supervisor', pid: main.pid }, find('api', (cmdline) => cmdline.endsWith('/api.js')), find('worker', (cmdline) => cmdline.endsWith('/worker.js'))]
      : [{ label: 'npm start (api and worker in one process)', pid: main.pid }]),
    realServer ? { label: 'Temporal server (real, on PostgreSQL)', pid: realServer.process.pid ?? -1 } : find('Temporal dev server', (cmdline) => cmdline.includes('start-dev')),
  ];

  // The location, as an operator configures it (admin API), and an open 24-hour window for every contact.
  const configured = await fetch(`${apiUrl}/admin/locations/${LOCATION}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Bench location',
      whatsapp: { backend: 'cloud', phoneNumberId: ACCOUNT.phoneNumberId, wabaId: ACCOUNT.wabaId, accessToken: ACCOUNT.accessToken },
      highLevel: { accessToken: world.highLevelToken.access_token, refreshToken: world.highLevelToken.refresh_token, expiresIn: world.highLevelToken.expires_in },
    }),
  });
  if (!configured.ok) throw new Error(`admin API answered ${configured.status}: ${await configured.text()}`);
  const db = createDb(databaseUrl, 4);
  const now = new Date();
  for (let i = 0; i < phones.length; i += 50) await Promise.all(phones.slice(i, i + 50).map((phone) => recordInbound(db, LOCATION, phone, now)));
  await db.destroy();

  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  return {
    name,
    deliveryUrl: `${apiUrl}/webhooks/highlevel/delivery`,
    webhookUrl: `${apiUrl}/webhooks/whatsapp`,
    processes,
    database,
    ...(realServer ? { temporalDatabases: [realServer.databases.main, realServer.databases.visibility] } : {}),
    ...(countsSql ? { sqlStatsDir } : {}),
    temporal: { client, workflowType: 'deliverMessage', workflowIdOf: (messageId) => `deliver:${LOCATION}:${messageId}` },
    async stop() {
      await connection.close();
      const began = Date.now();
      const [exit] = await supervisor.stop();
      await realServer?.stop();
      const leftovers = processes.filter((process) => readProc(process.pid) !== undefined);
      // Reported, then killed: a later system must not share the machine with them.
      for (const leftover of leftovers) process.kill(leftover.pid, 'SIGKILL');
      const left = leftovers.map((leftover) => leftover.label);
      return `npm start stopped on SIGTERM in ${((Date.now() - began) / 1000).toFixed(1)} s with ${exit?.signal ?? `exit code ${exit?.code}`}${left.length ? `; STILL RUNNING (killed now): ${left.join(', ')}` : ', nothing left running'}`;
    },
  };
}
