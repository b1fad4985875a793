import { WorkflowFailedError } from '@temporalio/client';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { waitFor } from '../support/waitFor';

/** Receipts in the providers' order, failures that arrive late, and what a failed delivery looks like to ops. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { receiptTimeoutSeconds: 60, lateReceiptWindowSeconds: 60 } });
  h.meta.upsertTemplate(h.location.wabaId, {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
  });
  expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=true`)).status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
async function newMessage(message = 'Hi Ana, your appointment is on May 3 at 10:00.') {
  counter += 1;
  const phone = `+1586480${String(1000 + counter)}`;
  await h.openWindow(h.location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message });
  return { phone, payload, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
}
const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId).map((update) => update.status);
const sentTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const unixSeconds = (offset: number) => Math.floor(Date.now() / 1000) + offset;

describe('receipts are ordered by the provider, not by arrival', () => {
  it('a late-arriving older failed does not undo read: the message ends read', async () => {
    const { phone, payload, workflowId } = await newMessage();
    h.meta.scriptReceipts(phone, []);
    await h.caller.send(h.deliveryUrl, payload);
    const [sent] = await waitFor(() => sentTo(phone).length === 1 && sentTo(phone), { what: 'the WhatsApp message' });
    const wamid = sent?.wamid as string;
    // One webhook listing read first: the older failure and delivery reach the workflow with it or after it.
    const batch = await h.meta.emitBatch([
      { kind: 'status', wamid, status: 'read', timestamp: unixSeconds(0) },
      { kind: 'status', wamid, status: 'failed', timestamp: unixSeconds(-8), error: { code: 131026, title: 'Message undeliverable' } },
      { kind: 'status', wamid, status: 'delivered', timestamp: unixSeconds(-5) },
    ]);
    expect(batch.statusCode).toBe(200);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(statusesFor(payload.messageId)).toEqual(['read']);
  });

  it('an older failed that arrives after delivered, in a webhook of its own, changes nothing', async () => {
    const { phone, payload, workflowId } = await newMessage();
    h.meta.scriptReceipts(phone, [{ status: 'delivered' }]);
    await h.caller.send(h.deliveryUrl, payload);
    const [sent] = await waitFor(() => sentTo(phone).length === 1 && sentTo(phone), { what: 'the WhatsApp message' });
    await waitFor(() => statusesFor(payload.messageId).includes('delivered'), { what: 'delivered in HighLevel' });
    await h.meta.emitStatus(sent?.wamid as string, 'failed', { timestamp: unixSeconds(-30), error: { code: 131026 } });
    await h.meta.emitStatus(sent?.wamid as string, 'read');
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read' });
    expect(statusesFor(payload.messageId)).toEqual(['delivered', 'read']);
  });
});

describe('failures that arrive as status webhooks are decided again', () => {
  it('a late 131047 (the window had closed) leads to one template send, which is read', async () => {
    const { phone, payload, workflowId } = await newMessage();
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    h.meta.scriptReceipts(phone, [{ status: 'failed', error: { code: 131047, title: 'Re-engagement message' } }]);
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const sent = sentTo(phone).map((message) => message.payload.type);
    expect(sent).toEqual(['text', 'template']);
    expect(statusesFor(payload.messageId)).not.toContain('failed');
  });
});

describe('a failed delivery is a failed workflow', () => {
  it('red in the Temporal UI, found by ExecutionStatus="Failed", its failure message the human reason; HighLevel was told first', async () => {
    const { payload, workflowId } = await newMessage();
    payload.phone = '+1 000';
    await h.caller.send(h.deliveryUrl, payload);
    const handle = h.temporal.workflow.getHandle(workflowId);
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.message).toMatch(/^invalid phone number: /);
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId)).toMatchObject({ status: 'failed', error: { code: 'invalid_phone' } });
    const found = await waitFor(async () => {
      for await (const execution of h.temporal.workflow.list({ query: `ExecutionStatus="Failed" AND HighLevelMessageId="${payload.messageId}"` })) return execution;
      return undefined;
    }, { what: 'the failed workflow in visibility' });
    expect(found.searchAttributes).toMatchObject({ DeliveryStatus: ['failed'] });
  });
});
