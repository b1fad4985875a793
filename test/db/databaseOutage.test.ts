import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { waitFor } from '../support/waitFor';

/**
 * PostgreSQL stopped and started while messages keep coming: the Delivery URL answers 503 (HighLevel retries), readiness
 * says the database is down, no process exits, and every accepted message is delivered exactly once. The api runs in
 * this process, the worker in a child process; both reach PostgreSQL through a relay the test stops and starts.
 */
const MESSAGES = 24;

describe('PostgreSQL stopped and started under load', () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    h = await startHarness({ databaseRelay: true, inProcessWorker: false });
    worker = await startWorkerProcess(h.workerEnv);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await worker?.stop();
    await h?.stop();
  });

  it('answers 503 while it is down, stays up, and delivers every accepted message once', async () => {
    const relay = h.databaseRelay;
    if (!relay) throw new Error('harness without a database relay');
    const messages = Array.from({ length: MESSAGES }, (_, index) => {
      const phone = `+1586480${String(1000 + index)}`;
      const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message: `Outage drill ${index}` });
      return { phone, payload, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
    });
    for (const { phone } of messages) await h.openWindow(h.location.id, phone);

    const answers: number[] = [];
    let outageStarted = false;
    // HighLevel's side: each message is posted until it is accepted, a short wait after each 503.
    const deliverUntilAccepted = async (payload: object) => {
      for (;;) {
        const { status } = await h.caller.send(h.deliveryUrl, payload);
        answers.push(status);
        if (status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const sending = (async () => {
      for (const [index, message] of messages.entries()) {
        if (index === MESSAGES / 3) outageStarted = true;
        await deliverUntilAccepted(message.payload);
      }
    })();

    await waitFor(() => outageStarted, { what: 'a third of the messages accepted' });
    await relay.cut();
    await waitFor(() => answers.filter((status) => status === 503).length >= 3, { what: 'the Delivery URL answering 503' });
    const ready = await fetch(`${h.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { postgres: { ok: false } } });
    await relay.resume();
    await sending;

    await waitFor(async () => (await fetch(`${h.apiUrl}/readyz`)).status === 200, { what: 'readiness back' });
    expect(answers.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    for (const { workflowId, phone } of messages) {
      expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
      expect(h.meta.sentMessages.filter((sent) => sent.to === phone)).toHaveLength(1);
    }
    expect(worker?.alive).toBe(true);
    expect(uncaught).toEqual([]);
  });
});
