import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { ledgerTimeline } from '../../src/store/ledger';
import { deliverWorkflowId } from '../../workflows/shared';
import { startHarness, type Harness } from '../support/harness';
import { deliveryOutcome, expectPushedStatuses, expectSameRun } from '../support/expectations';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
/** A fresh recipient and message per test; the window is open unless a test closes it. */
async function newMessage(overrides: Record<string, unknown> = {}, options: { window?: 'open' | 'closed' } = {}) {
  counter += 1;
  const phone = `+1586460${String(3000 + counter).padStart(4, '0')}`;
  if (options.window !== 'closed') await h.openWindow(h.location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], ...overrides });
  return { payload, phone, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
}

const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId);
const sentTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);

describe('POST /webhooks/highlevel/delivery → WhatsApp', () => {
  it("delivers HighLevel's documented example as one WhatsApp message and reports it read", async () => {
    const { payload, phone, workflowId } = await newMessage({ attachments: undefined });
    const example = HighLevelDeliveryCaller.examplePayload();
    payload.attachments = example.attachments;
    payload.message = example.message;

    const response = await h.caller.send(h.deliveryUrl, payload);
    expect(response).toMatchObject({ status: 200, body: { accepted: true, workflowId } });

    const result = await deliveryOutcome(h.temporal, workflowId);
    expect(result).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const sent = sentTo(phone);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.payload).toMatchObject({
      type: 'image',
      image: { link: example.attachments?.[0], caption: 'The text message to be sent to the contact' },
      biz_opaque_callback_data: workflowId,
    });
    expectPushedStatuses(statusesFor(payload.messageId).map((update) => update.status), 'read');
  });

  it('sends a plain text (with link preview when it has a link) and records the whole timeline in the ledger', async () => {
    const { payload, phone, workflowId } = await newMessage({ message: 'Your booking: https://example.com/b/42' });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    await deliveryOutcome(h.temporal, workflowId);

    expect(sentTo(phone).map((message) => message.payload)).toEqual([
      expect.objectContaining({ type: 'text', text: { preview_url: true, body: 'Your booking: https://example.com/b/42' } }),
    ]);
    const timeline = await ledgerTimeline(h.db, workflowId);
    expect(timeline.slice(0, 3).map((event) => event.type)).toEqual(['received', 'decided', 'sent']);
    expect(timeline.filter((event) => event.type === 'receipt').map((event) => event.detail.status)).toEqual(['sent', 'delivered', 'read']);
    expectPushedStatuses(timeline.filter((event) => event.type === 'status_pushed').map((event) => String(event.detail.status)), 'read');
    expect(timeline.at(-1)).toMatchObject({ type: 'status_pushed', detail: { status: 'read' } });
    const row = await h.db.selectFrom('messages').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'read', channel: 'whatsapp', phone_e164: phone, contact_id: payload.contactId, provider: 'meta' });
    expect(row.provider_message_id).toMatch(/^wamid\./);
  });

  it('pushes each status inside the workflow task that took its receipt: no activity task, fewer than 20 history events', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.meta.scriptReceipts(phone, [{ status: 'sent' }, { status: 'delivered' }]);
    await h.caller.send(h.deliveryUrl, payload);
    await waitFor(() => statusesFor(payload.messageId).some((update) => update.status === 'delivered'), { what: "HighLevel's delivered status" });
    await h.meta.emitStatus(sentTo(phone)[0]?.wamid as string, 'read');
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });

    const events = (await h.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    // plan, send, the delivered push and the read push: local activities, one marker each.
    expect(events.filter((event) => event.markerRecordedEventAttributes)).toHaveLength(4);
    expect(events.filter((event) => event.activityTaskScheduledEventAttributes)).toEqual([]);
    expect(events.length).toBeLessThanOrEqual(20);
    expect(statusesFor(payload.messageId).map((update) => update.status)).toEqual(['delivered', 'read']);
    // Each report is a ledger step of its own.
    const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();
    const steps = await h.db.selectFrom('message_events').select(['step', 'type']).where('message_id', '=', workflowId).where('step', 'is not', null).orderBy('id').execute();
    expect(steps).toEqual([
      { step: `${runId}/report:1`, type: 'status' },
      { step: `${runId}/report:1`, type: 'status_pushed' },
      { step: `${runId}/report:2`, type: 'status' },
      { step: `${runId}/report:2`, type: 'status_pushed' },
    ]);
  });

  it('sends once however many times HighLevel repeats the webhook', async () => {
    const { payload, phone, workflowId } = await newMessage();
    const responses = await Promise.all([1, 2, 3].map(() => h.caller.send(h.deliveryUrl, payload)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const handle = h.temporal.workflow.getHandle(workflowId);
    await handle.result();
    const { runId } = await handle.describe();
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    await expectSameRun(h.temporal, workflowId, runId);
    expect(sentTo(phone)).toHaveLength(1);
  });

  it('keeps the best status when receipts come out of order and duplicated', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.meta.scriptReceipts(phone, [{ status: 'read' }, { status: 'delivered' }, { status: 'delivered', duplicate: true }, { status: 'sent' }]);
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read' });
    // read came first: the later delivered is behind it and never pushed, whatever the timing.
    expect(statusesFor(payload.messageId).map((update) => update.status)).toEqual(['read']);
    expect(h.highLevel.finalStatus(payload.messageId)).toBe('read');
  });

  it('retries two Cloud API 5xx answers and delivers once', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.meta.failNextSends(2, { httpStatus: 500, code: 131000, message: 'Something went wrong' });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read' });
    expect(sentTo(phone)).toHaveLength(1);
    expectPushedStatuses(statusesFor(payload.messageId).map((update) => update.status), 'read');
  });

  it('reports 131026 (not on WhatsApp) to HighLevel as failed with the code and a human reason', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.meta.scriptReceipts(phone, [{ status: 'sent' }, { status: 'failed', error: { code: 131026, title: 'Message undeliverable' } }]);
    await h.caller.send(h.deliveryUrl, payload);
    const result = await deliveryOutcome(h.temporal, workflowId);
    expect(result).toMatchObject({ status: 'failed', reason: expect.stringContaining('131026') });
    expect(statusesFor(payload.messageId)).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: { code: '131026', type: 'whatsapp', message: 'WhatsApp error 131026: the number is not on WhatsApp or cannot receive messages (old app, terms not accepted)' },
      }),
    ]);
  });

  it('fails at once on a permanent synchronous Cloud API error, without retrying', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026, message: '(#131026) Message undeliverable' });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    expect(sentTo(phone)).toHaveLength(0);
    expect(statusesFor(payload.messageId)[0]).toMatchObject({ status: 'failed', error: { code: '131026' } });
  });

  it('does not send free text outside the 24-hour window and tells HighLevel why', async () => {
    const { payload, phone, workflowId } = await newMessage({}, { window: 'closed' });
    await h.openWindow(h.location.id, phone, new Date(Date.now() - 25 * 3600_000));
    await h.db.insertInto('consent_events').values({ location_id: h.location.id, phone_e164: phone, status: 'opted_in', source: 'test' }).execute();
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    expect(sentTo(phone)).toHaveLength(0);
    expect(statusesFor(payload.messageId)[0]).toMatchObject({
      status: 'failed',
      error: { code: 'no_template_match', message: expect.stringMatching(/^outside the 24-hour window: no approved WhatsApp template/) },
    });
  });

  it('reports an impossible phone number to HighLevel as failed, without crashing', async () => {
    const { payload, workflowId } = await newMessage({ phone: '+1 000' });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    expect(statusesFor(payload.messageId)[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_phone', message: expect.stringMatching(/^invalid phone number: /) } });
  });

  it('respects HighLevel DND for WhatsApp', async () => {
    const { payload, phone, workflowId } = await newMessage();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { WhatsApp: { status: 'active' } } });
    payload.contactId = contact.id;
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    expect(sentTo(phone)).toHaveLength(0);
    expect(statusesFor(payload.messageId)[0]).toMatchObject({ status: 'failed', error: { code: 'dnd' } });
  });

  it('records the statuses HighLevel refuses and still completes the delivery', async () => {
    const { payload, phone, workflowId } = await newMessage();
    h.highLevel.failNext(20, { status: 404, body: { statusCode: 404, message: 'Message not found' }, pathPrefix: `/conversations/messages/${payload.messageId}/status` });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(sentTo(phone)).toHaveLength(1);
    const refused = (await ledgerTimeline(h.db, workflowId)).filter((event) => event.type === 'status_push_failed');
    expectPushedStatuses(refused.map((event) => String(event.detail.status)), 'read');
    for (const event of refused) expect(event.detail.reason).toContain('HighLevel answered 404');
  });

  it('tags the workflow with search attributes ops can filter on', async () => {
    const { payload, workflowId } = await newMessage();
    await h.caller.send(h.deliveryUrl, payload);
    await deliveryOutcome(h.temporal, workflowId);
    const found = await waitFor(
      async () => {
        for await (const execution of h.temporal.workflow.list({ query: `HighLevelMessageId="${payload.messageId}" AND DeliveryStatus="read"` })) return execution;
        return undefined;
      },
      { what: 'the workflow in visibility' },
    );
    expect(found.workflowId).toBe(workflowId);
    expect(found.searchAttributes).toMatchObject({
      LocationId: [h.location.id],
      ContactId: [payload.contactId],
      DeliveryChannel: ['whatsapp'],
    });
  });
});
