import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Supervisor } from '../../../src/supervisor';
import { startDevServer, type DevServer } from '../../../src/temporal/devServer';
import { freePort } from '../../support/waitFor';
import type { ReferenceConfig } from '../reference/shared';
import { answers, exitedEarly, waitFor, type BenchSession, type SystemUnderTest } from './session';
import { ACCOUNT, LOCATION, META_APP_SECRET, type World } from './world';

/** The two references measured beside the product under the same load (see ../reference). */
const referenceDir = path.resolve(__dirname, '..', 'reference');

async function workerPolling(client: Client, taskQueue: string, pid: number): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).some((poller) => poller.identity === `${pid}@${os.hostname()}`);
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

export async function startFloor(session: BenchSession, world: World): Promise<SystemUnderTest> {
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const devServer: DevServer = await startDevServer({ dataDir: path.join(session.root, 'floor-data'), port: devPort, uiPort, namespace: 'default', progress: session.keepLine });
  const taskQueue = 'bench-floor';
  const env = { ...process.env, BENCH_REFERENCE_CONFIG: referenceConfig(world, port, { temporalAddress: devServer.address, taskQueue }) };
  const entry = path.join(referenceDir, 'floorProcess.js');
  const supervisor = new Supervisor({ graceMs: 30_000, output: session.quietOutput, say: session.keepLine });
  session.onCleanup(() => supervisor.stop(), () => devServer.stop());
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

export async function startRelay(session: BenchSession, world: World): Promise<SystemUnderTest> {
  const port = await freePort();
  const supervisor = new Supervisor({ graceMs: 10_000, output: session.quietOutput, say: session.keepLine });
  session.onCleanup(() => supervisor.stop());
  const relay = supervisor.start({ name: 'relay', entry: path.join(referenceDir, 'relayProcess.js'), env: { ...process.env, BENCH_REFERENCE_CONFIG: referenceConfig(world, port) } });
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

