import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, wantsSimulators, type Config } from './config';
import { createRuntime } from './runtime';
import type { DemoSimulators } from './demo';
import { asEnv, Supervisor, type ChildExit, type SupervisedChild } from './supervisor';
import { connectClient, ensureSearchAttributes, temporalTarget, type TemporalTarget } from './temporal/connection';
import { ensureTemplateSyncSchedule } from './temporal/templateSchedule';
import { startDevServer } from './temporal/devServer';
import { payloadCodecFor } from './temporal/payloadCodec';

const say = (line: string) => {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // stdout closed
  }
};

/** How long the api and the worker get to stop after SIGTERM before SIGKILL (the worker drains in-flight activities). */
const CHILD_GRACE_MS = 20_000;
const STARTUP_TIMEOUT_MS = 180_000;

/**
 * `npm start`, the embedded default. This process is the supervisor: it creates and migrates the PostgreSQL database,
 * starts the Temporal dev server with its Web UI (unless TEMPORAL_ADDRESS or a Temporal profile names a server) and the simulators (when no real
 * credentials are configured), seeds the demo location, makes sure of the search attributes and the template sync
 * schedule, then runs the api (`dist/src/api.js`) and the worker (`dist/src/worker.js`) as two child processes, so the
 * Delivery URL never waits behind activity work. Ctrl-C / SIGTERM stops the children (grace, then SIGKILL), then the
 * simulators and the dev server, and exits 0. A child that dies on its own stops everything with exit code 1.
 */
async function main(): Promise<void> {
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const cleanup: Array<{ name: string; run: () => Promise<unknown> }> = [];
  const supervisor = new Supervisor({ graceMs: CHILD_GRACE_MS, say });
  let stopping: Promise<void> | undefined;
  let startup: Promise<void> = Promise.resolve();
  let exitCode = 0;

  const finish = (reason: string, code: number): void => {
    if (stopping) {
      say(`[supervisor] still stopping (children get ${CHILD_GRACE_MS / 1000} s before SIGKILL)…`);
      return;
    }
    exitCode = code;
    say(`[supervisor] ${reason}: stopping…`);
    stopping = (async () => {
      await startup.catch(() => undefined); // a step under way finishes (each one checks `stopping` next)
      const exits = await supervisor.stop();
      for (const exit of exits) say(`[supervisor] ${describeExit(exit)}`);
      for (const step of cleanup.reverse()) {
        await step.run().catch((error: unknown) => say(`[supervisor] stopping ${step.name}: ${error instanceof Error ? error.message : String(error)}`));
      }
      say('[supervisor] stopped');
    })();
    void stopping.finally(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => finish('SIGINT', 0));
  process.on('SIGTERM', () => finish('SIGTERM', 0));
  supervisor.onUnexpectedExit((exit) => finish(`${describeExit(exit)} unexpectedly`, 1));

  startup = (async () => {
    let config = loadConfig();
    let simulators: DemoSimulators | undefined;
    let demoAdminToken: string | undefined;
    if (wantsSimulators(config)) {
      // Loaded only here: the production image has no simulators package (a devDependency).
      const { DEMO, startDemoSimulators } = await import('./demo').catch((error: unknown) => {
        throw new Error(`the demo needs the simulators package (a devDependency: npm ci, not --omit=dev), else set real credentials or SIMULATORS=off: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      });
      demoAdminToken = DEMO.adminToken;
      simulators = await startDemoSimulators(config);
      cleanup.push({ name: 'simulators', run: () => (simulators as DemoSimulators).stop() });
      config = { ...config, ...simulators.configOverrides } as Config;
    }
    if (stopping) return;

    // Before the children start: a development payload key is generated once, here, and they read it.
    const payloadCodec = payloadCodecFor(config);
    const runtime = await createRuntime(config, { createDatabase: true });
    say(`[db] ${redactUrl(config.DATABASE_URL)} ready (migrations applied)`);
    try {
      // Before the worker starts: workflows resumed from an earlier run must find this run's simulator tokens.
      await simulators?.seed(runtime, config.PUBLIC_BASE_URL);
    } finally {
      await runtime.db.destroy(); // the children have their own pools; this process needs none
    }
    if (stopping) return;

    // A Temporal named by TEMPORAL_ADDRESS or a profile (envconfig), else the embedded dev server.
    let target = temporalTarget(process.env);
    if (!target) {
      const devServer = await startDevServer({
        dataDir: config.DATA_DIR,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        uiCodecEndpoint: `${config.PUBLIC_BASE_URL}/codec`,
        progress: say,
      });
      cleanup.push({ name: 'Temporal dev server', run: () => devServer.stop() });
      devServer.process?.once('exit', (code, signal) => {
        if (!stopping) finish(`the Temporal dev server exited with ${signal ?? `code ${code}`} unexpectedly`, 1);
      });
      target = temporalTarget(process.env, devServer.address) as TemporalTarget;
      say(`[temporal] dev server on ${devServer.address}, Web UI at ${devServer.uiUrl}`);
    }
    if (stopping) return;

    const client = await connectClient(target, payloadCodec);
    cleanup.push({ name: 'Temporal client', run: () => client.connection.close() });
    await ensureSearchAttributes(client, target.namespace);
    await ensureTemplateSyncSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, every: `${config.TEMPLATE_SYNC_INTERVAL_MINUTES}m`, scheduleId: config.TEMPLATE_SYNC_SCHEDULE_ID });
    if (stopping) return;

    // The children read the same environment, plus what this process decided: the Temporal address and the simulators.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...asEnv(simulators?.configOverrides ?? {}), TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace };
    const worker = supervisor.start({ name: 'worker', entry: path.join(__dirname, 'worker.js'), env: childEnv });
    const api = supervisor.start({ name: 'api', entry: path.join(__dirname, 'api.js'), env: childEnv });

    const apiUrl = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
    const cancelled = () => !!stopping;
    const ready = await Promise.race([
      Promise.all([waitForApi(apiUrl, cancelled), waitForWorker(client, config, worker, cancelled)]).then(() => true),
      sleep(STARTUP_TIMEOUT_MS).then(() => false),
    ]);
    if (stopping) return;
    if (!ready) return finish(`api or worker not ready within ${STARTUP_TIMEOUT_MS / 1000} s`, 1);
    say(`[api] listening on ${apiUrl} (GET /readyz), pid ${api.pid}`);
    const loginWith = !config.ADMIN_TOKEN ? ': set ADMIN_TOKEN first' : config.ADMIN_TOKEN === demoAdminToken ? ` ${demoAdminToken}` : '';
    say(`[console] ${apiUrl}/console for agency staff (log in with the admin token${loginWith})`);
    say(`[worker] polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${target.address}, pid ${worker.pid}`);
    if (simulators) {
      // The demo's templates are new in this run's simulator: synced now rather than at the schedule's next turn.
      await client.schedule.getHandle(config.TEMPLATE_SYNC_SCHEDULE_ID).trigger();
      for (const line of simulators.describe(config.PUBLIC_BASE_URL)) say(line);
    }
    say('[supervisor] running; Ctrl-C stops everything');
  })();
  await startup.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    finish('start failed', 1);
  });
}

async function waitForApi(url: string, cancelled: () => boolean): Promise<void> {
  while (!cancelled()) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
}

/** Ready when the Temporal server has seen this worker process (identity `<pid>@<host>`) poll for workflow tasks. */
async function waitForWorker(client: Client, config: Config, worker: SupervisedChild, cancelled: () => boolean): Promise<void> {
  const identity = `${worker.pid}@${os.hostname()}`;
  while (!cancelled()) {
    try {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: config.TEMPORAL_TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers ?? []).some((poller) => poller.identity === identity)) return;
    } catch {
      // the server is still warming up
    }
    await sleep(250);
  }
}

function describeExit(exit: ChildExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  return `${exit.name} (pid ${exit.pid}) exited with ${how}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

void main();
