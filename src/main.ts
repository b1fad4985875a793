import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApi, listen } from './api';
import { loadConfig, wantsSimulators, type Config } from './config';
import { createRuntime } from './runtime';
import { startDemoSimulators, type DemoSimulators } from './simulators/demo';
import { ensureSearchAttributes } from './temporal/connection';
import { ensureTemplateSyncSchedule } from './temporal/templateSchedule';
import { startDevServer, type DevServer } from './temporal/devServer';
import { createWorker } from './worker';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm start`, the embedded default: local PostgreSQL (database created when missing), the Temporal dev
 * server with its Web UI (unless TEMPORAL_ADDRESS is set), the simulators when no real credentials are
 * configured, and the api and worker in one process.
 */
async function main(): Promise<void> {
  let config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') });
  let simulators: DemoSimulators | undefined;
  if (wantsSimulators(config)) {
    simulators = await startDemoSimulators(config);
    config = { ...config, ...simulators.configOverrides } as Config;
  }

  const runtime = await createRuntime(config, { createDatabase: true });
  say(`[db] ${redactUrl(config.DATABASE_URL)} ready (migrations applied)`);
  // Before the worker starts: workflows resumed from an earlier run must find this run's simulator tokens.
  await simulators?.seed(runtime, config.PUBLIC_BASE_URL);

  let devServer: DevServer | undefined;
  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    devServer = await startDevServer({ dataDir: config.DATA_DIR, port: config.TEMPORAL_DEV_PORT, uiPort: config.TEMPORAL_UI_PORT, namespace: config.TEMPORAL_NAMESPACE, progress: say });
    temporalAddress = devServer.address;
    say(`[temporal] dev server on ${devServer.address}, Web UI at ${devServer.uiUrl}`);
  }

  const { app, temporal } = createApi(runtime, temporalAddress);
  await ensureSearchAttributes(temporal, config.TEMPORAL_NAMESPACE);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, activityDeps: runtime.activityDeps });
  const running = worker.run();
  await ensureTemplateSyncSchedule(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE, every: `${config.TEMPLATE_SYNC_INTERVAL_MINUTES}m` });
  const apiUrl = await listen(app, config);
  say(`[api] listening on ${apiUrl} (GET /readyz)`);
  if (simulators) for (const line of simulators.describe(config.PUBLIC_BASE_URL)) say(line);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await app.close();
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await simulators?.stop();
    await devServer?.stop();
    await runtime.db.destroy();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.catch(async (error) => {
    console.error('worker stopped:', error);
    await stop();
    process.exitCode = 1;
  });
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
