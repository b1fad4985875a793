import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { ledgerTimeline } from '../../src/store/ledger';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { waitFor } from '../support/waitFor';

/**
 * A send whose outcome is lost is not sent again: the provider accepted it, and then its answer never reached us
 * (dropped on the wire) or the worker died before it could write it down. Real stack, the answer lost by a
 * pass-through proxy in front of the provider's API, the worker a child process killed with SIGKILL.
 */

const META_SEND = { method: 'POST', path: /\/messages$/ };
const TWILIO_CREATE = { method: 'POST', path: /\/Messages\.json$/ };

let counter = 0;
function newMessage(h: Harness, location: TestLocation) {
  counter += 1;
  const phone = `+1586470${String(1000 + counter)}`;
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, attachments: [], message: `Reminder ${counter}: see you at 3pm` });
  return { phone, payload, workflowId: deliverWorkflowId(location.id, payload.messageId) };
}

const sentDetails = async (h: Harness, workflowId: string, type: string) => (await ledgerTimeline(h.db, workflowId)).filter((event) => event.type === type).map((event) => event.detail);

describe('the provider accepted, its answer was lost', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ lossy: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('Cloud API: one WhatsApp, its id adopted from the receipt that carries our reference', async () => {
    const { phone, payload, workflowId } = newMessage(h, h.location);
    await h.openWindow(h.location.id, phone);
    h.proxies?.meta.dropResponses(META_SEND, 1, { close: 'rst' });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(h.meta.sentMessages.filter((message) => message.to === phone)).toHaveLength(1);
    expect(await sentDetails(h, workflowId, 'sent')).toEqual([expect.objectContaining({ reconciled: 'receipt', providerMessageId: h.meta.sentMessages.find((message) => message.to === phone)?.wamid })]);
  });

  it('Twilio WhatsApp: one message, found again in Twilio', async () => {
    const location = await h.addLocation({}, 'twilio');
    const { phone, payload, workflowId } = newMessage(h, location);
    await h.openWindow(location.id, phone);
    h.proxies?.twilio.dropResponses(TWILIO_CREATE, 1, { close: 'rst' });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const created = h.twilio.messages.filter((message) => message.to === `whatsapp:${phone}`);
    expect(created).toHaveLength(1);
    expect(await sentDetails(h, workflowId, 'sent')).toEqual([expect.objectContaining({ reconciled: expect.stringMatching(/^(lookup|receipt)$/), providerMessageId: created[0]?.sid })]);
  });

  it('SMS fallback: one SMS', async () => {
    const location = await h.addLocation({ smsFallback: true, smsFallbackDeadlineSeconds: 120, lateReceiptWindowSeconds: 120 });
    const { phone, payload, workflowId } = newMessage(h, location);
    await h.openWindow(location.id, phone);
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026, message: '(#131026) Message undeliverable' });
    h.proxies?.twilio.dropResponses(TWILIO_CREATE, 1, { close: 'rst' });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(h.twilio.messages.filter((message) => message.channel === 'sms' && message.to === phone)).toHaveLength(1);
    expect(await sentDetails(h, workflowId, 'sms_sent')).toHaveLength(1);
  });
});

describe('the provider accepted, then the worker died before writing it down', () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    h = await startHarness({ lossy: true, inProcessWorker: false });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.stop();
  });

  it('a new worker adopts the send instead of sending again: one WhatsApp', async () => {
    worker = await startWorkerProcess({ ...h.workerEnv, TEST_WORKFLOW_BUNDLE: process.env.TEST_WORKFLOW_BUNDLE as string });
    const { phone, payload, workflowId } = newMessage(h, h.location);
    await h.openWindow(h.location.id, phone);
    // Meta accepts the message; its answer is held, so the worker is still waiting for it when it dies.
    h.proxies?.meta.dropResponses(META_SEND, 1, { holdMs: Number.POSITIVE_INFINITY });
    await h.caller.send(h.deliveryUrl, payload);
    await waitFor(() => h.meta.sentMessages.some((message) => message.to === phone), { what: 'Meta accepting the message' });
    await worker.kill();

    worker = await startWorkerProcess({ ...h.workerEnv, TEST_WORKFLOW_BUNDLE: process.env.TEST_WORKFLOW_BUNDLE as string });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(h.meta.sentMessages.filter((message) => message.to === phone)).toHaveLength(1);
    expect(await sentDetails(h, workflowId, 'sent')).toEqual([expect.objectContaining({ reconciled: 'receipt' })]);
  });
});
