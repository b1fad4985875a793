import { countHistories } from './histories';
import { closedLoop, openLoop, percentile, sleep, type LoadResult } from './load';
import type { Options } from './options';
import { collectSqlStats, commitsOf, dropDatabase, subtractSql, waitForNoBackends } from './postgres';
import { CpuTracker, memoryOf, postgresProcesses, readProc } from './procStats';
import type { PhaseFigures, SystemFigures } from './report';
import type { SystemUnderTest } from './session';
import { ThreadCpu } from './threadStats';
import { preparePosts, type World } from './world';

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

export async function measure(world: World, options: Options, sut: SystemUnderTest, startSeconds: number): Promise<SystemFigures> {
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
  // The Temporal workers' CPU by thread: where the SDK spends it (sandbox, watchdogs, Rust core) against the activities.
  const threadsOf = sut.processes.filter((process) => process.label.includes('worker')).map((process) => ({ label: process.label, threads: new ThreadCpu(process.pid) }));
  const pg = sut.database ? postgresProcesses(sut.database) : undefined;
  const pgBackends = pg ? new CpuTracker(pg.backends) : undefined;
  const pgAuxiliary = pg ? new CpuTracker(pg.auxiliary) : undefined;
  pgBackends?.start();
  pgAuxiliary?.start();
  const temporalBackends = (sut.temporalDatabases ?? []).map((database) => ({ database, tracker: new CpuTracker(postgresProcesses(database).backends) }));
  for (const { tracker } of temporalBackends) tracker.start();
  const benchBefore = process.cpuUsage();
  const sqlBefore = sut.sqlStatsDir ? await collectSqlStats(sut.sqlStatsDir) : undefined;
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
  const threadCpu = threadsOf.map(({ label, threads }) => ({ label, groups: threads.since() }));
  if (pgBackends && pgAuxiliary) {
    cpuMs.push({ label: `PostgreSQL backends (${sut.database})`, ms: pgBackends.stop() });
    cpuMs.push({ label: 'PostgreSQL cluster processes (WAL writer, checkpointer, …; shared)', ms: pgAuxiliary.stop() });
  }
  for (const { database, tracker } of temporalBackends) cpuMs.push({ label: `PostgreSQL backends of Temporal (${database})`, ms: tracker.stop() });
  const benchAfter = process.cpuUsage(benchBefore);
  const memory = sut.processes.map((process) => ({ label: process.label, memory: memoryOf(process.pid) }));
  const sql = sut.sqlStatsDir && sqlBefore ? subtractSql(await collectSqlStats(sut.sqlStatsDir), sqlBefore) : undefined;
  const measuredIds = [...openFigures.load.results, ...closedFigures.load.results].filter((post) => post.status === 200).map((post) => post.messageId);
  const histories = sut.temporal ? await countHistories(sut.temporal.client, measuredIds.map((id) => sut.temporal!.workflowIdOf(id)), { closeTimeoutMs: 10_000 }) : undefined;
  if (histories) step('histories fetched');

  const stopped = await sut.stop();
  // The product's backends exit with it, and publish their last counters as they go: read once they are gone.
  if (sut.database) await waitForNoBackends(sut.database, 30_000);
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
    threadCpu,
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
