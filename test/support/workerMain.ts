/** A worker in a process of its own (test/support/workerProcess.ts), so a test can kill it like a crashed host. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/database';
import { createActivityDeps } from '../../src/runtime';
import { SecretBox } from '../../src/security/secretBox';
import { payloadCodecFor } from '../../src/temporal/payloadCodec';
import { createWorker } from '../../src/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig(process.env);
  const db = createDb(config.DATABASE_URL, 5);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS as string });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activityDeps: createActivityDeps(config, db, new SecretBox(config.ENCRYPTION_KEY as string)),
    payloadCodec: payloadCodecFor(config),
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    shutdown: { shutdownGraceTime: '1s', shutdownForceTime: '5s' },
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.stdout.write('worker ready\n');
  await worker.run();
  await connection.close();
  await db.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
