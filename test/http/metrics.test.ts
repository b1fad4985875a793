import path from 'node:path';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { freePort, waitFor } from '../support/waitFor';

/** Prometheus text from the api (GET /metrics) and from the product's worker process (WORKER_METRICS_PORT). */

/** The value of one sample line, e.g. sample(text, 'ghlwa_x_total{a="b"}'). */
const sample = (text: string, series: string) => Number(text.split('\n').find((line) => line.startsWith(`${series} `))?.split(' ')[1] ?? NaN);

describe('metrics', () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  let workerMetricsUrl: string;
  beforeAll(async () => {
    h = await startHarness({ inProcessWorker: false });
    const port = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    // At debug level the SDK says when the worker polls.
    worker = await startWorkerProcess(
      { ...h.workerEnv, WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'debug', WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE as string },
      { script: path.join(__dirname, '../../src/worker.ts'), ready: /Worker state changed[^}]*RUNNING/ },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.stop();
  });

  it('count requests, acks, workflow starts and activity outcomes', async () => {
    const phone = '+15864903690';
    await h.openWindow(h.location.id, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect((await h.caller.send(h.deliveryUrl, { ...payload, locationId: 'bad\u0000id' })).status).toBe(400);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId))).toMatchObject({ status: 'read' });

    const api = await fetch(`${h.apiUrl}/metrics`);
    expect(api.headers.get('content-type')).toMatch(/^text\/plain/);
    const apiText = await api.text();
    expect(sample(apiText, 'ghlwa_http_requests_total{route="/webhooks/highlevel/delivery",method="POST",status="200"}')).toBe(1);
    expect(sample(apiText, 'ghlwa_http_requests_total{route="/webhooks/highlevel/delivery",method="POST",status="400"}')).toBe(1);
    expect(sample(apiText, 'ghlwa_delivery_ack_seconds_count{status="200"}')).toBe(1);
    expect(sample(apiText, 'ghlwa_workflow_starts_total{workflow="deliverMessage"}')).toBe(1);
    expect(sample(apiText, 'ghlwa_http_requests_total{route="/webhooks/whatsapp",method="POST",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(apiText).not.toContain('5864903690');

    // The SDK exports on its own schedule: wait for the counters to show this message's activities.
    const workerText = await waitFor(async () => {
      const text = await (await fetch(workerMetricsUrl)).text();
      return text.includes('ghlwa_activity_outcomes') && text.includes('activity="reportDelivery"') ? text : undefined;
    }, { what: 'activity outcomes on the worker metrics' });
    expect(workerText).toMatch(/ghlwa_activity_outcomes(_total)?\{[^}]*activity="planDelivery"[^}]*outcome="completed"[^}]*\} [1-9]/);
    expect(workerText).toMatch(/temporal_workflow_completed(_total)?\{/);
  });
});
