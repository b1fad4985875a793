import path from 'node:path';
import { PassThrough } from 'node:stream';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { freePort } from '../support/waitFor';

/**
 * A full scenario at LOG_LEVEL=debug — an outbound WhatsApp delivered and read, a reply, a STOP, a message refused
 * after it — and everything the api and the product's own worker process (src/worker.ts) wrote: no full phone number,
 * no message text, no token or secret.
 */
describe('logs at LOG_LEVEL=debug', () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  const output: string[] = [];
  const apiLog = new PassThrough();
  apiLog.on('data', (chunk: Buffer) => output.push(chunk.toString()));

  beforeAll(async () => {
    h = await startHarness({ inProcessWorker: false, env: { LOG_LEVEL: 'debug' }, apiLogStream: apiLog });
    worker = await startWorkerProcess(
      { ...h.workerEnv, WORKER_METRICS_PORT: String(await freePort()), WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE as string },
      { script: path.join(__dirname, '../../src/worker.ts'), ready: /Worker state changed[^}]*RUNNING/, onOutput: (text) => output.push(text) },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.stop();
  });

  it('hold no full phone number, message text or secret', async () => {
    const phone = '+15864903685';
    const texts = ['Your cleaning is booked for Tuesday 9:40', 'Can I move it to Wednesday please', 'Cancelled per your request'];
    await h.openWindow(h.location.id, phone);

    const first = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message: texts[0] });
    expect((await h.caller.send(h.deliveryUrl, first)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, first.messageId))).toMatchObject({ status: 'read' });

    const reply = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, from: phone, type: 'text', text: texts[1] });
    expect(reply.statusCode).toBe(200);
    await inboundOutcome(h, inboundWamid(reply));
    const stop = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, from: phone, type: 'text', text: 'STOP' });
    await inboundOutcome(h, inboundWamid(stop));

    const refused = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message: texts[2] });
    expect((await h.caller.send(h.deliveryUrl, refused)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, refused.messageId))).toMatchObject({ status: 'failed' });
    await h.meta.receiptsSettled();

    const log = output.join('');
    // The scenario was logged at debug level, by both processes.
    expect(log).toContain('delivery accepted');
    expect(log).toMatch(/Worker state changed/);
    expect(log).toContain('request completed');
    expect(log).toMatch(/\[DEBUG\] Activity completed/);
    const secrets = [
      phone.slice(1),
      phone.slice(2),
      ...texts,
      h.location.accessToken,
      h.location.twilioAuthToken,
      h.config.ADMIN_TOKEN as string,
      h.config.ENCRYPTION_KEY as string,
      h.config.META_APP_SECRET as string,
    ];
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
