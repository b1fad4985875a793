/**
 * `npm run bench [-- --rate 50 --seconds 5 --messages 100 --concurrency 20 --receipt-delay-ms 100 --warmup 20 --only product,floor,relay --temporal dev|real]`
 * (positional `[messages] [concurrency]` still work). `--temporal real`: the product runs against a real Temporal
 * cluster (src/temporal/realServer.ts: Temporal's server on PostgreSQL, 8 history shards) instead of the dev server;
 * the floor keeps its dev server.
 *
 * The shipped default, measured from the outside, next to two references under the same load:
 * - PRODUCT: `node dist-bench/src/main.js`, i.e. `npm start` itself (its supervisor starts the Temporal dev server on
 *   its SQLite file in a fresh temp DATA_DIR, migrates a fresh PostgreSQL database, runs the api and the worker as two
 *   child processes), configured with SIMULATORS=off and pointed at this process's HighLevel and WhatsApp simulators;
 *   the location is configured through the admin API.
 * - FLOOR: a minimal durable workflow (start → one activity sending through the same WhatsApp simulator → wait for
 *   delivered/read signals → one status push), api and worker processes, its own dev server; no database.
 * - RELAY: one non-durable Fastify process (verify, send, push on receipt); no Temporal, no database.
 * For each: warm-up, then a fixed open-loop arrival rate, then closed-loop concurrency; CPU of every process
 * (/proc utime+stime), RSS, SQL statements (opt-in counter preloaded into the product's processes) and commits
 * (pg_stat_database.xact_commit), Temporal history events and billable actions (fetched histories). Asserts nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createDb } from '../../src/db/database';
import { HighLevelDeliveryCaller, HighLevelSimulator, MetaSimulator } from '@ghl-whatsapp/simulators';
import { recordInbound } from '../../src/store/conversationWindows';
import { Supervisor, type SupervisedChild } from '../../src/supervisor';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { startRealTemporalServer, type RealTemporalServer } from '../../src/temporal/realServer';
import { countHistories } from './lib/histories';
import { closedLoop, openLoop, percentile, sleep, type LoadResult, type PreparedPost } from './lib/load';
import { commitsOf, dropDatabase, readSqlStats, subtractSql } from './lib/postgres';
import { CpuTracker, allProcesses, machine, memoryOf, postgresProcesses, readProc } from './lib/procStats';
import { parseOptions, type Options } from './lib/options';
import { printComparison, printSystem, type PhaseFigures, type SystemFigures } from './lib/report';
import { freePort } from '../support/waitFor';
import type { ReferenceConfig } from './reference/shared';

// ---------------------------------------------------------------------------------------------------------------
// the world all three systems share: simulators, contacts, signed posts

const LOCATION = 'bench-location';
const ADMIN_TOKEN = 'bench-admin-token';
const META_APP_SECRET = 'bench-meta-app-secret';
const ACCOUNT = { accessToken: 'bench-wa-token', wabaId: 'bench-waba', phoneNumberId: 'bench-phone-number-id', displayPhoneNumber: '15550100009' };
const TEXT = 'Hi Ana, your appointment is tomorrow at 10:00. Reply to this message to reschedule.';

interface World {
  highLevel: HighLevelSimulator;
  meta: MetaSimulator;
  highLevelToken: { access_token: string; refresh_token: string; expires_in: number };
  contacts: Array<{ id: string; phone: string }>;
  /** messageId → epoch ms of the first final status (read / failed) HighLevel received. */
  finals: Map<string, { status: string; at: number }>;
  stopWatching(): void;
}

async function startWorld(options: Options, contacts: number): Promise<World> {
  const highLevel = await HighLevelSimulator.start({ rateLimit: false, statusDownstreamDelayMs: 0 });
  const meta = await MetaSimulator.start({ appSecret: META_APP_SECRET, autoRead: true, receiptDelayMs: options.receiptDelayMs, accounts: [ACCOUNT] });
  const highLevelToken = highLevel.issueLocationToken(LOCATION);
  const seeded = Array.from({ length: contacts }, (_, i) => {
    const phone = `+1586${String(5_000_000 + i)}`;
    return { id: highLevel.seedContact({ locationId: LOCATION, phone, firstName: 'Ana', lastName: `Bench ${i}` }).id, phone };
  });
  const finals = new Map<string, { status: string; at: number }>();
  let seen = 0;
  const watcher = setInterval(() => {
    const updates = highLevel.statusUpdates;
    for (; seen < updates.length; seen += 1) {
      const update = updates[seen];
      if (!update || (update.status !== 'read' && update.status !== 'failed') || finals.has(update.messageId)) continue;
      finals.set(update.messageId, { status: update.status, at: update.at });
    }
  }, 20);
  return { highLevel, meta, highLevelToken, contacts: seeded, finals, stopWatching: () => clearInterval(watcher) };
}

let postCounter = 0;
function preparePosts(world: World, count: number): PreparedPost[] {
  return Array.from({ length: count }, () => {
    const contact = world.contacts[postCounter++ % world.contacts.length] as { id: string; phone: string };
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: LOCATION, contactId: contact.id, phone: contact.phone, attachments: [], message: TEXT });
    world.highLevel.registerOutboundMessage(LOCATION, payload.messageId, contact.id);
    const rawBody = JSON.stringify(payload);
    return { messageId: payload.messageId, rawBody, signature: world.highLevel.deliveryCaller.sign(rawBody) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// systems under test

interface SystemUnderTest {
  name: string;
  deliveryUrl: string;
  webhookUrl: string;
  /** Processes whose CPU and memory are measured (discovered after start). */
  processes: Array<{ label: string; pid: number }>;
  /** PostgreSQL database whose backends and commits are measured. */
  database?: string;
  /** A real Temporal cluster's own databases, whose backends are measured apart. */
  temporalDatabases?: string[];
  sqlStatsDir?: string;
  temporal?: { client: Client; workflowType: string; workflowIdOf(messageId: string): string };
  stop(): Promise<string>;
}

/** Temporary DATA_DIRs and the SQL counter's files; created once the options are read, removed at the end. */
let BENCH_ROOT = '';
const distRoot = path.resolve(__dirname, '..', '..');
const logTail: string[] = [];
const keepLine = (line: string) => {
  logTail.push(line);
  if (logTail.length > 300) logTail.shift();
};
const quietOutput = { stdout: keepLine, stderr: keepLine };
/** Whatever was started, stopped again in `finally` (stopping twice is harmless). */
const cleanups: Array<() => Promise<unknown>> = [];

/** Polls until `check` holds; stops early with the reason `failed` gives (a process that exited). */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = failed?.();
    if (failure) throw new Error(`${what}: ${failure}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
}

const answers = (url: string) => async () => {
  await fetch(url, { signal: AbortSignal.timeout(1000) });
  return true;
};

async function workerPolling(client: Client, taskQueue: string, pid: number): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).some((poller) => poller.identity === `${pid}@${os.hostname()}`);
}

function exitedEarly(child: SupervisedChild): () => string | undefined {
  return () => (child.process.exitCode !== null || child.process.signalCode !== null ? `${child.name} exited (${child.process.signalCode ?? child.process.exitCode})` : undefined);
}

async function startProduct(world: World, phones: string[], temporalKind: Options['temporal']): Promise<SystemUnderTest> {
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const database = `ghlwa_bench_${crypto.randomBytes(4).toString('hex')}`;
  // A real cluster (its databases named after the bench's), given to npm start as TEMPORAL_ADDRESS: no dev server then.
  const realServer: RealTemporalServer | undefined =
    temporalKind === 'real' ? await startRealTemporalServer({ databaseName: `${database}_temporal`, dropDatabasesOnStop: true, progress: (line) => console.log(line) }) : undefined;
  if (realServer) cleanups.push(() => realServer.stop());
  const temporalAddress = realServer?.address ?? `127.0.0.1:${devPort}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const dataDir = path.join(BENCH_ROOT, 'product-data');
  const sqlStatsDir = path.join(BENCH_ROOT, 'product-sql');
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
    GHLWA_SQL_STATS_DIR: sqlStatsDir,
    ...(realServer ? { TEMPORAL_ADDRESS: realServer.address } : {}),
  });
  let running = false;
  const watchLine = (line: string) => {
    keepLine(line);
    if (line.includes('[supervisor] running')) running = true;
  };
  const supervisor = new Supervisor({ graceMs: 60_000, output: { stdout: watchLine, stderr: watchLine }, say: keepLine });
  cleanups.push(() => supervisor.stop(), () => dropDatabase(database));
  const main = supervisor.start({ name: 'npm-start', entry: path.join(distRoot, 'src', 'main.js'), env });
  await waitFor('npm start', async () => running, 300_000, exitedEarly(main));

  const apiUrl = `http://127.0.0.1:${port}`;
  const children = allProcesses().filter((sample) => sample.ppid === main.pid);
  const find = (label: string, match: (cmdline: string) => boolean) => {
    const found = children.find((sample) => match(sample.cmdline));
    if (!found) throw new Error(`npm start: no ${label} process among its children`);
    return { label, pid: found.pid };
  };
  const processes = [
    { label: 'npm start supervisor', pid: main.pid },
    find('api', (cmdline) => cmdline.endsWith('/api.js')),
    find('worker', (cmdline) => cmdline.endsWith('/worker.js')),
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
    name: 'product',
    deliveryUrl: `${apiUrl}/webhooks/highlevel/delivery`,
    webhookUrl: `${apiUrl}/webhooks/whatsapp`,
    processes,
    database,
    ...(realServer ? { temporalDatabases: [realServer.databases.main, realServer.databases.visibility] } : {}),
    sqlStatsDir,
    temporal: { client, workflowType: 'deliverMessage', workflowIdOf: (messageId) => `deliver:${LOCATION}:${messageId}` },
    async stop() {
      await connection.close();
      const began = Date.now();
      const [exit] = await supervisor.stop();
      await realServer?.stop();
      const leftovers = processes.filter((process) => readProc(process.pid) !== undefined).map((process) => process.label);
      return `npm start stopped on SIGTERM in ${((Date.now() - began) / 1000).toFixed(1)} s with ${exit?.signal ?? `exit code ${exit?.code}`}${leftovers.length ? `; STILL RUNNING: ${leftovers.join(', ')}` : ', nothing left running'}`;
    },
  };
}

function referenceConfig(world: World, port: number, extra: Partial<ReferenceConfig> = {}): string {
  const config: ReferenceConfig = {
    port,
    highLevelPublicKeyPem: world.highLevel.deliveryCaller.publicKeyPem,
    highLevelBaseUrl: world.highLevel.baseUrl,
    highLevelToken: world.highLevelToken.access_token,
    graphBaseUrl: world.meta.baseUrl,
    phoneNumberId: ACCOUNT.phoneNumberId,
    whatsAppToken: ACCOUNT.accessToken,
    metaAppSecret: META_APP_SECRET,
    ...extra,
  };
  return JSON.stringify(config);
}

async function startFloor(world: World): Promise<SystemUnderTest> {
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const devServer: DevServer = await startDevServer({ dataDir: path.join(BENCH_ROOT, 'floor-data'), port: devPort, uiPort, namespace: 'default', progress: keepLine });
  const taskQueue = 'bench-floor';
  const env = { ...process.env, BENCH_REFERENCE_CONFIG: referenceConfig(world, port, { temporalAddress: devServer.address, taskQueue }) };
  const entry = path.join(__dirname, 'reference', 'floorProcess.js');
  const supervisor = new Supervisor({ graceMs: 30_000, output: quietOutput, say: keepLine });
  cleanups.push(() => supervisor.stop(), () => devServer.stop());
  const worker = supervisor.start({ name: 'floor-worker', entry, env, args: ['worker'] });
  const api = supervisor.start({ name: 'floor-api', entry, env, args: ['api'] });
  const connection = await Connection.connect({ address: devServer.address });
  const client = new Client({ connection });
  await waitFor('floor api', answers(`http://127.0.0.1:${port}/`), 60_000, exitedEarly(api));
  await waitFor('floor worker', () => workerPolling(client, taskQueue, worker.pid), 120_000, exitedEarly(worker));
  return {
    name: 'floor',
    deliveryUrl: `http://127.0.0.1:${port}/delivery`,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    processes: [
      { label: 'floor api', pid: api.pid },
      { label: 'floor worker', pid: worker.pid },
      { label: 'Temporal dev server', pid: devServer.process?.pid ?? -1 },
    ],
    temporal: { client, workflowType: 'floorDeliver', workflowIdOf: (messageId) => `floor:${LOCATION}:${messageId}` },
    async stop() {
      await connection.close();
      const exits = await supervisor.stop();
      await devServer.stop();
      return `floor stopped: ${exits.map((exit) => `${exit.name} ${exit.signal ?? exit.code}`).join(', ')}`;
    },
  };
}

async function startRelay(world: World): Promise<SystemUnderTest> {
  const port = await freePort();
  const supervisor = new Supervisor({ graceMs: 10_000, output: quietOutput, say: keepLine });
  cleanups.push(() => supervisor.stop());
  const relay = supervisor.start({ name: 'relay', entry: path.join(__dirname, 'reference', 'relayProcess.js'), env: { ...process.env, BENCH_REFERENCE_CONFIG: referenceConfig(world, port) } });
  await waitFor('relay', answers(`http://127.0.0.1:${port}/`), 60_000, exitedEarly(relay));
  return {
    name: 'relay',
    deliveryUrl: `http://127.0.0.1:${port}/delivery`,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    processes: [{ label: 'relay', pid: relay.pid }],
    async stop() {
      const [exit] = await supervisor.stop();
      return `relay stopped: ${exit?.signal ?? exit?.code}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// measuring

/** Waits until every id has a final status in HighLevel, or nothing new arrived for `idleMs`. Returns when the last one came. */
async function waitForFinals(world: World, ids: string[], idleMs: number): Promise<number> {
  let done = ids.filter((id) => world.finals.has(id)).length;
  let lastProgress = Date.now();
  while (done < ids.length && Date.now() - lastProgress < idleMs) {
    await sleep(100);
    const now = ids.filter((id) => world.finals.has(id)).length;
    if (now > done) {
      done = now;
      lastProgress = Date.now();
    }
  }
  return Math.max(0, ...ids.map((id) => world.finals.get(id)?.at ?? 0));
}

async function runningWorkflows(sut: SystemUnderTest): Promise<number> {
  if (!sut.temporal) return 0;
  const { count } = await sut.temporal.client.workflow.count(`WorkflowType="${sut.temporal.workflowType}" AND ExecutionStatus="Running"`);
  return count;
}

async function waitForWorkflowsClosed(sut: SystemUnderTest, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let running = await runningWorkflows(sut).catch(() => -1);
  while (running > 0 && Date.now() < deadline) {
    await sleep(250);
    running = await runningWorkflows(sut).catch(() => -1);
  }
  return running;
}

async function runPhase(world: World, load: () => Promise<LoadResult>): Promise<PhaseFigures> {
  const result = await load();
  const accepted = result.results.filter((post) => post.status === 200);
  const refused: Record<string, number> = {};
  for (const post of result.results) if (post.status !== 200) refused[post.status || 'error'] = (refused[post.status || 'error'] ?? 0) + 1;
  const lastRead = await waitForFinals(world, accepted.map((post) => post.messageId), 60_000);
  const finals = accepted.map((post) => ({ post, final: world.finals.get(post.messageId) }));
  const read = finals.filter((entry) => entry.final?.status === 'read');
  const lastAck = Math.max(...result.results.map((post) => post.ackedAt));
  const acks = result.results.map((post) => post.ackMs);
  const endToEnd = read.map((entry) => (entry.final?.at ?? 0) - entry.post.dueAt);
  return {
    load: result,
    accepted: accepted.length,
    refused,
    delivered: read.length,
    failed: finals.filter((entry) => entry.final?.status === 'failed').length,
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
    ackMax: Math.max(...acks),
    acceptRate: accepted.length / Math.max(0.001, (lastAck - result.startedAt) / 1000),
    endToEndRate: read.length / Math.max(0.001, (lastRead - result.startedAt) / 1000),
    endToEndP50: percentile(endToEnd, 50),
    endToEndP99: percentile(endToEnd, 99),
  };
}

async function measure(world: World, options: Options, sut: SystemUnderTest, startSeconds: number): Promise<SystemFigures> {
  const began = Date.now();
  const steps: Array<[string, number]> = [['start', startSeconds]];
  let stepStart = Date.now();
  const step = (name: string) => {
    steps.push([name, (Date.now() - stepStart) / 1000]);
    stepStart = Date.now();
  };
  world.meta.setWebhookUrl(sut.webhookUrl);
  const warmup = preparePosts(world, options.warmup);
  const open = preparePosts(world, Math.round(options.rate * options.seconds));
  const closed = preparePosts(world, options.messages);

  // Warm-up (JIT, pools, caches), then quiet: PostgreSQL publishes an idle backend's counters up to 10 s late.
  if (warmup.length > 0) {
    await closedLoop(sut.deliveryUrl, warmup, Math.min(5, warmup.length));
    await waitForFinals(world, warmup.map((post) => post.messageId), 30_000);
  }
  await waitForWorkflowsClosed(sut, 30_000);
  if (sut.database) await sleep(11_000);
  step('warm-up and quiet');

  // Before
  const cpuBefore = new Map(sut.processes.map((process) => [process.pid, readProc(process.pid)?.cpuMs ?? 0]));
  const pg = sut.database ? postgresProcesses(sut.database) : undefined;
  const pgBackends = pg ? new CpuTracker(pg.backends) : undefined;
  const pgAuxiliary = pg ? new CpuTracker(pg.auxiliary) : undefined;
  pgBackends?.start();
  pgAuxiliary?.start();
  const temporalBackends = (sut.temporalDatabases ?? []).map((database) => ({ database, tracker: new CpuTracker(postgresProcesses(database).backends) }));
  for (const { tracker } of temporalBackends) tracker.start();
  const benchBefore = process.cpuUsage();
  const sqlBefore = sut.sqlStatsDir ? readSqlStats(sut.sqlStatsDir) : undefined;
  const commitsBefore = sut.database ? await commitsOf(sut.database) : undefined;

  const openFigures = await runPhase(world, () => openLoop(sut.deliveryUrl, open, options.rate));
  step('open loop until the last read');
  const closedFigures = await runPhase(world, () => closedLoop(sut.deliveryUrl, closed, options.concurrency));
  step('closed loop until the last read');
  const stillRunning = await waitForWorkflowsClosed(sut, 30_000);
  await sleep(1000);
  step('workflows closed');

  // After
  const cpuMs = sut.processes.map((process) => ({ label: process.label, ms: (readProc(process.pid)?.cpuMs ?? NaN) - (cpuBefore.get(process.pid) ?? 0) }));
  if (pgBackends && pgAuxiliary) {
    cpuMs.push({ label: `PostgreSQL backends (${sut.database})`, ms: pgBackends.stop() });
    cpuMs.push({ label: 'PostgreSQL cluster processes (WAL writer, checkpointer, …; shared)', ms: pgAuxiliary.stop() });
  }
  for (const { database, tracker } of temporalBackends) cpuMs.push({ label: `PostgreSQL backends of Temporal (${database})`, ms: tracker.stop() });
  const benchAfter = process.cpuUsage(benchBefore);
  const memory = sut.processes.map((process) => ({ label: process.label, memory: memoryOf(process.pid) }));
  const sql = sut.sqlStatsDir && sqlBefore ? subtractSql(readSqlStats(sut.sqlStatsDir), sqlBefore) : undefined;
  const measuredIds = [...openFigures.load.results, ...closedFigures.load.results].filter((post) => post.status === 200).map((post) => post.messageId);
  const histories = sut.temporal ? await countHistories(sut.temporal.client, measuredIds.map((id) => sut.temporal!.workflowIdOf(id)), { closeTimeoutMs: 10_000 }) : undefined;
  if (histories) step('histories fetched');

  const stopped = await sut.stop();
  // The product's backends exit with it, and publish their last counters as they go.
  if (sut.database) await sleep(1000);
  const commitsAfter = sut.database ? await commitsOf(sut.database).catch(() => undefined) : undefined;
  if (sut.database) await dropDatabase(sut.database);
  step('stop');
  return {
    name: sut.name,
    steps,
    open: openFigures,
    closed: closedFigures,
    delivered: openFigures.delivered + closedFigures.delivered,
    cpuMs,
    cpuTotalMs: cpuMs.reduce((sum, entry) => sum + (Number.isFinite(entry.ms) ? entry.ms : 0), 0),
    benchProcessCpuMs: (benchAfter.user + benchAfter.system) / 1000,
    memory,
    ...(sql ? { sql } : {}),
    ...(commitsBefore && commitsAfter ? { commits: { commits: commitsAfter.commits - commitsBefore.commits, rollbacks: commitsAfter.rollbacks - commitsBefore.rollbacks } } : {}),
    ...(histories ? { histories } : {}),
    stillRunning,
    stopped,
    seconds: startSeconds + (Date.now() - began) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  BENCH_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-bench-'));
  const perSystem = options.warmup + Math.round(options.rate * options.seconds) + options.messages;
  console.log(`delivery benchmark — machine: ${machine()}`);
  console.log(
    `load per system: warm-up ${options.warmup}, open loop ${options.rate} req/s × ${options.seconds} s, closed loop ${options.messages} messages × ${options.concurrency} senders; ` +
      `WhatsApp simulator receipts sent → delivered → read ${options.receiptDelayMs} ms apart; HighLevel simulator without rate limit or downstream delay`,
  );
  const systems = ['product', 'floor', 'relay'].filter((name) => options.only.has(name));
  const world = await startWorld(options, perSystem);
  const phones = world.contacts.map((contact) => contact.phone);
  const all: SystemFigures[] = [];
  try {
    for (const name of systems) {
      console.log(`\n[${name}] starting…`);
      const started = Date.now();
      const sut = name === 'product' ? await startProduct(world, phones, options.temporal) : name === 'floor' ? await startFloor(world) : await startRelay(world);
      console.log(`[${name}] measuring…`);
      const figures = await measure(world, options, sut, (Date.now() - started) / 1000);
      printSystem(figures);
      all.push(figures);
    }
    printComparison(all);
    console.log(`\nload average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} (1/5/15 min)`);
  } catch (error) {
    console.error('\nlast output of the systems under test:');
    for (const line of logTail.slice(-60)) console.error(`  ${line}`);
    throw error;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    world.stopWatching();
    await world.meta.stop();
    await world.highLevel.stop();
    fs.rmSync(BENCH_ROOT, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    if (BENCH_ROOT) fs.rmSync(BENCH_ROOT, { recursive: true, force: true });
    process.exit(1);
  },
);
