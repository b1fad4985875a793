import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { loadConfig } from './config';
import { ActivityOutcomeMetrics } from './metrics/activityOutcomes';
import { createRuntime } from './runtime';
import { connectClient, connectWorker, ensureSearchAttributes, requireTemporalTarget } from './temporal/connection';
import { dataConverterWith } from './temporal/dataConverter';
import { payloadCodecFor } from './temporal/payloadCodec';
import { ensureTemplateSyncSchedule } from './temporal/templateSchedule';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** Encrypts what the workflows and activities put in the history (src/temporal/payloadCodec.ts). */
  payloadCodec: PayloadCodec;
  /**
   * A pre-built bundle (tests, production images), bundled with `failureConverterPath: FAILURE_CONVERTER_PATH`;
   * otherwise the workflows are bundled at start.
   */
  workflowBundlePath?: string;
  /** How long a shutdown may wait for running tasks (tests keep it short so teardown always finishes). */
  shutdown?: Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'>;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const workflows: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = setup.workflowBundlePath
    ? { workflowBundle: { codePath: setup.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    activities: createActivities(setup.activityDeps),
    ...workflows,
    interceptors: { activity: [(context) => ({ inbound: new ActivityOutcomeMetrics(context) })] },
    dataConverter: dataConverterWith(setup.payloadCodec),
    // Chosen with `npm run bench` on the embedded stack (figures in the README, "Worker options"): four workflow-task and
    // four activity-task pollers instead of ten each cost the dev server and the worker less CPU per message at the same
    // throughput; 100 concurrent workflow tasks with 20 pollers cost more. Activities wait on HTTP and PostgreSQL, so
    // their concurrency stays high. The sticky cache is bounded so the worker's memory does not depend on the machine
    // (an evicted workflow replays its ~50 events when its next receipt comes; a cache of 50 showed no cost in the
    // bench). Eager activities (started in the workflow task's answer, no trip through matching) need the server's
    // system.enableActivityEagerExecution, which the embedded dev server turns on.
    maxConcurrentWorkflowTaskPolls: 4,
    maxConcurrentActivityTaskPolls: 4,
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 100,
    maxConcurrentLocalActivityExecutions: 100,
    maxCachedWorkflows: 1000,
    maxEagerActivityReservationsPerWorkflowTask: 3,
    // A SIGTERM lets running activities (a send, a status push) finish before they are cancelled.
    shutdownGraceTime: '10s',
    ...setup.shutdown,
  });
}

/** `npm run start:worker`: a worker only, against the configured Temporal (temporalTarget). */
async function main(): Promise<void> {
  const target = requireTemporalTarget(process.env, 'worker');
  const config = { ...loadConfig(), TEMPORAL_NAMESPACE: target.namespace };
  // The SDK's INFO lines (the workflow bundle's webpack report, state changes) only at LOG_LEVEL=debug or trace.
  Runtime.install({
    logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
    // The SDK's own Prometheus exporter: its runtime metrics plus ghlwa_activity_outcomes, at /metrics.
    telemetryOptions: { metrics: { prometheus: { bindAddress: `${config.HOST}:${config.WORKER_METRICS_PORT}`, countersTotalSuffix: true } } },
  });
  const runtime = await createRuntime(config);
  const payloadCodec = payloadCodecFor(config);
  const client = await connectClient(target, payloadCodec);
  await ensureSearchAttributes(client, target.namespace);
  await ensureTemplateSyncSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, every: `${config.TEMPLATE_SYNC_INTERVAL_MINUTES}m`, scheduleId: config.TEMPLATE_SYNC_SCHEDULE_ID });
  await client.connection.close();
  const connection = await connectWorker(target);
  const worker = await createWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activityDeps: runtime.activityDeps,
    payloadCodec,
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
  });
  await worker.run();
  await connection.close();
  await runtime.db.destroy();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
