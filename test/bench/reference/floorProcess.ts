/**
 * The FLOOR reference's two processes, like the product's: `floorProcess.js api` (verify the HighLevel signature,
 * start the floor workflow, answer 200; verify Meta's webhook signature, signal delivered/read/failed) and
 * `floorProcess.js worker` (the floor workflow, bundled on its own, and its two activities).
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { verifyHighLevelSignature } from '../../../src/providers/highlevel/signature';
import { verifyMetaSignature } from '../../../src/providers/meta/signature';
import { createFloorActivities } from './floorActivities';
import { floorReceipt, type FloorInput } from './floorWorkflow';
import { rawJsonApp, receiptsOf, referenceConfig, type OutboundPost } from './shared';

async function api(): Promise<void> {
  const config = referenceConfig();
  const connection = await Connection.connect({ address: config.temporalAddress as string });
  const client = new Client({ connection });
  const app = rawJsonApp();

  app.post('/delivery', async (request, reply) => {
    const signature = request.headers['x-ghl-signature'];
    if (!verifyHighLevelSignature(request.rawBuffer ?? Buffer.alloc(0), typeof signature === 'string' ? signature : undefined, config.highLevelPublicKeyPem)) {
      return reply.code(401).send({ error: 'bad signature' });
    }
    const message = request.body as OutboundPost;
    const input: FloorInput = { messageId: message.messageId, phone: message.phone, text: message.message };
    try {
      await client.workflow.start('floorDeliver', { taskQueue: config.taskQueue as string, workflowId: `floor:${message.locationId}:${message.messageId}`, args: [input] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) return reply.code(503).send({ error: 'temporal unavailable' });
    }
    return { ok: true };
  });

  app.post('/webhooks/whatsapp', async (request, reply) => {
    const signature = request.headers['x-hub-signature-256'];
    if (!verifyMetaSignature(request.rawBuffer ?? Buffer.alloc(0), typeof signature === 'string' ? signature : undefined, config.metaAppSecret)) {
      return reply.code(401).send({ error: 'bad signature' });
    }
    const receipts = receiptsOf(request.body).filter((receipt) => receipt.status !== 'sent' && receipt.reference?.startsWith('floor:'));
    await Promise.all(receipts.map((receipt) => client.workflow.getHandle(receipt.reference as string).signal(floorReceipt, receipt.status)));
    return { ok: true };
  });

  await app.listen({ host: '127.0.0.1', port: config.port });
  const stop = async () => {
    await app.close();
    await connection.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

async function worker(): Promise<void> {
  const config = referenceConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: config.temporalAddress as string });
  const floorWorker = await Worker.create({
    connection,
    taskQueue: config.taskQueue as string,
    workflowsPath: require.resolve('./floorWorkflow'),
    activities: createFloorActivities(config),
    // The product's poller and cache settings (src/worker.ts), so both stand on the same footing.
    maxConcurrentWorkflowTaskPolls: 4,
    maxConcurrentActivityTaskPolls: 4,
    maxCachedWorkflows: 1000,
  });
  await floorWorker.run();
  await connection.close();
}

const role = process.argv[2];
(role === 'api' ? api() : role === 'worker' ? worker() : Promise.reject(new Error('usage: floorProcess.js api|worker'))).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
