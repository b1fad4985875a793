import { HighLevelDeliveryCaller, type BatchItem, type InboundSpec } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { startHarness, type Harness } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { deliveryOutcome, expectSameRun } from '../support/expectations';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const newPhone = () => `+1586472${String(1000 + ++counter).padStart(4, '0')}`;

async function emit(spec: InboundSpec) {
  const delivery = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, ...spec });
  expect(delivery.statusCode).toBe(200);
  return inboundWamid(delivery);
}
const outcomeOf = (wamid: string) => inboundOutcome(h, wamid);
const sentTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);

/** HighLevel's SMS to the contact through the Delivery URL (no window opened by the test itself). */
async function deliverySms(phone: string, message: string) {
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  return { payload, handle: h.temporal.workflow.getHandle(deliverWorkflowId(h.location.id, payload.messageId)) };
}

describe('the 24-hour window opened by inbound messages', () => {
  it('sends free text right after an inbound message', async () => {
    const phone = newPhone();
    await emit({ from: phone, type: 'text', text: 'Can you send me the address?' });
    // No waiting for the inbound workflow: the webhook records the window before it answers.
    const { handle } = await deliverySms(phone, '1 Main St, Detroit');
    expect(await handle.result()).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(sentTo(phone).map((message) => message.payload)).toEqual([expect.objectContaining({ type: 'text', text: { preview_url: false, body: '1 Main St, Detroit' } })]);
  });

  it('sends no free text when the last inbound was 25 hours ago', async () => {
    const phone = newPhone();
    const sentAt = Math.floor(Date.now() / 1000) - 25 * 3600;
    const wamid = await emit({ from: phone, type: 'text', text: 'Yesterday I asked about prices', timestamp: sentAt });
    expect(await outcomeOf(wamid)).toMatchObject({ status: 'delivered' });
    expect(h.highLevel.inboundMessages.find((message) => message.altId === wamid)?.date).toBe(new Date(sentAt * 1000).toISOString());

    const { payload, handle } = await deliverySms(phone, 'Our prices are on the website');
    expect(await deliveryOutcome(h.temporal, handle.workflowId)).toMatchObject({ status: 'failed' });
    expect(sentTo(phone)).toEqual([]);
    expect(h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId)).toMatchObject({ status: 'failed' });
  });
});

describe('a webhook batch mixing inbound messages and receipts for several contacts', () => {
  it('handles each message and each receipt once, even when Meta delivers the batch twice', async () => {
    const [alice, bob, carol] = [newPhone(), newPhone(), newPhone()];
    const outbound = await Promise.all(
      [alice, bob].map(async (phone) => {
        await h.openWindow(h.location.id, phone);
        h.meta.scriptReceipts(phone, []); // the batch below carries the only receipts
        return { phone, ...(await deliverySms(phone, `Hello ${phone}`)) };
      }),
    );
    const wamids = await waitFor(() => {
      const found = outbound.map(({ phone }) => sentTo(phone)[0]?.wamid);
      return found.every(Boolean) ? (found as string[]) : undefined;
    }, { what: 'both outbound sends' });
    await waitFor(async () => (await h.db.selectFrom('messages').select('id').where('provider_message_id', 'in', wamids).execute()).length === 2, { what: 'ledger rows' });

    const items: BatchItem[] = [
      { kind: 'inbound', phoneNumberId: h.location.phoneNumberId, from: alice, type: 'text', text: 'Got it, thanks' },
      { kind: 'status', wamid: wamids[0] as string, status: 'delivered' },
      { kind: 'inbound', phoneNumberId: h.location.phoneNumberId, from: carol, profileName: 'Carol', type: 'text', text: 'Hi, new here' },
      { kind: 'status', wamid: wamids[1] as string, status: 'read' },
      { kind: 'inbound', phoneNumberId: h.location.phoneNumberId, from: bob, type: 'text', text: 'See you then' },
      { kind: 'status', wamid: wamids[0] as string, status: 'read' },
    ];
    const batch = await h.meta.emitBatch(items, { entries: 2 });
    expect(batch.statusCode).toBe(200);
    const redelivery = await h.meta.deliverRaw(batch.payload);
    expect(redelivery.statusCode).toBe(200);

    const inboundIds = batch.payload.entry.flatMap((entry) => entry.changes.flatMap((change) => (change.value.messages ?? []).map((message) => message.id)));
    expect(inboundIds).toHaveLength(3);
    const outcomes = await Promise.all(inboundIds.map(outcomeOf));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['delivered', 'delivered', 'delivered']);
    for (const { handle } of outbound) expect(await handle.result()).toMatchObject({ status: 'read' });

    const runs = await Promise.all(inboundIds.map(async (id) => ({ id: inboundWorkflowId('meta', id), ...(await h.temporal.workflow.getHandle(inboundWorkflowId('meta', id)).describe()) })));
    await h.meta.deliverRaw(batch.payload);
    for (const run of runs) await expectSameRun(h.temporal, run.id, run.runId);
    expect(inboundIds.map((id) => h.highLevel.inboundMessages.filter((message) => message.altId === id).length)).toEqual([1, 1, 1]);
    expect(h.highLevel.inboundMessages.filter((message) => inboundIds.includes(message.altId as string)).map((message) => message.message).sort()).toEqual([
      'Got it, thanks',
      'Hi, new here',
      'See you then',
    ]);
    for (const { payload } of outbound) {
      const statuses = h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId).map((update) => update.status);
      expect(statuses.at(-1)).toBe('read');
      expect(new Set(statuses).size).toBe(statuses.length);
    }
  });
});
