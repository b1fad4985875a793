import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { BACKENDS, driverFor, type BackendDriver } from '../support/backends';
import { startHarness, type Harness } from '../support/harness';
import { deliveryOutcome, expectPushedStatuses, expectSameRun } from '../support/expectations';

describe.each(BACKENDS)('HighLevel SMS → WhatsApp over the %s back end', (backend) => {
  let h: Harness;
  let provider: BackendDriver;
  beforeAll(async () => {
    h = await startHarness({ backend });
    provider = driverFor(h, backend);
  });
  afterAll(async () => {
    await h?.stop();
  });

  let counter = 0;
  /** A fresh recipient with an open 24-hour window, and HighLevel's message to them. */
  async function newMessage(overrides: Record<string, unknown> = {}) {
    counter += 1;
    const phone = `+1586461${String(3000 + counter).padStart(4, '0')}`;
    await h.openWindow(h.location.id, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], ...overrides });
    return { payload, phone, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
  }
  const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId).map((update) => update.status);

  it("delivers HighLevel's documented example as one WhatsApp message, then shows it read in HighLevel", async () => {
    const example = HighLevelDeliveryCaller.examplePayload();
    const { payload, phone, workflowId } = await newMessage({ message: example.message, attachments: example.attachments });

    expect(await h.caller.send(h.deliveryUrl, payload)).toMatchObject({ status: 200, body: { accepted: true, workflowId } });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(provider.sentTo(phone)).toEqual([
      expect.objectContaining({ kind: 'media', body: 'The text message to be sent to the contact', mediaUrls: example.attachments }),
    ]);
    expectPushedStatuses(statusesFor(payload.messageId), 'read');
    const row = await h.db.selectFrom('messages').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'read', channel: 'whatsapp', provider: provider.provider, provider_message_id: provider.sentTo(phone)[0]?.providerMessageId });
  });

  it('sends once however many times HighLevel repeats the webhook', async () => {
    const { payload, phone, workflowId } = await newMessage({ message: 'See you at 3pm' });
    const responses = await Promise.all([1, 2, 3].map(() => h.caller.send(h.deliveryUrl, payload)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const handle = h.temporal.workflow.getHandle(workflowId);
    await handle.result();
    const { runId } = await handle.describe();
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    await expectSameRun(h.temporal, workflowId, runId);
    expect(provider.sentTo(phone)).toEqual([expect.objectContaining({ kind: 'text', body: 'See you at 3pm' })]);
  });

  it('keeps the best status when receipts come out of order and duplicated: read in the end', async () => {
    const { payload, phone, workflowId } = await newMessage();
    provider.scriptReceipts(phone, [{ status: 'read' }, { status: 'delivered' }, { status: 'delivered', duplicate: true }, { status: 'sent' }]);
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read' });
    // read came first: the later delivered is behind it and never pushed, whatever the timing.
    expect(statusesFor(payload.messageId)).toEqual(['read']);
    expect(h.highLevel.finalStatus(payload.messageId)).toBe('read');
  });
});
