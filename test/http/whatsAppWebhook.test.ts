import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { signMetaPayload } from '../../src/providers/meta/signature';
import { META_APP_SECRET, startHarness, WHATSAPP_VERIFY_TOKEN, type Harness } from '../support/harness';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { receiptTimeoutSeconds: 30, lateReceiptWindowSeconds: 60 } });
});
afterAll(async () => {
  await h?.stop();
});

const webhookUrl = () => `${h.apiUrl}/webhooks/whatsapp`;

describe('GET /webhooks/whatsapp (subscription handshake)', () => {
  it('echoes hub.challenge as plain text when the verify token matches', async () => {
    const response = await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${WHATSAPP_VERIFY_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  it('answers 403 for a wrong token or mode', async () => {
    expect((await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`)).status).toBe(403);
    expect((await fetch(`${webhookUrl()}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${WHATSAPP_VERIFY_TOKEN}`)).status).toBe(403);
  });
});

describe('POST /webhooks/whatsapp', () => {
  it('rejects a wrong or missing signature with 401 and stores nothing', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [{ id: 'x', changes: [{ field: 'messages', value: { statuses: [{ id: 'wamid.fake', status: 'delivered', timestamp: '1750030073', recipient_id: '1' }] } }] }] };
    const wrong = await h.meta.deliverRaw(payload, { signature: 'sha256=0000' });
    expect(wrong.statusCode).toBe(401);
    const unsigned = await fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect(unsigned.status).toBe(401);
    expect(await h.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', 'wamid.fake').execute()).toEqual([]);
  });

  it('stores and acknowledges receipts for message ids it does not know', async () => {
    const delivery = await h.meta.emitStatus('wamid.UNKNOWN123', 'delivered', { recipientId: '15550009999' });
    expect(delivery.statusCode).toBe(200);
    const stored = await h.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', 'wamid.UNKNOWN123').execute();
    expect(stored).toEqual([expect.objectContaining({ provider: 'meta', status: 'delivered', message_id: null })]);
  });

  it('routes every receipt of a 50-receipt batch: all 50 statuses reach HighLevel', async () => {
    const messages = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const phone = `+1586555${String(1000 + index).padStart(4, '0')}`;
        await h.openWindow(h.location.id, phone);
        h.meta.scriptReceipts(phone, []); // withhold: the batch below is the only receipt
        const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] });
        const response = await h.caller.send(h.deliveryUrl, payload);
        expect(response.status).toBe(200);
        return { payload, phone };
      }),
    );
    const sent = await waitFor(
      () => {
        const byPhone = new Map(h.meta.sentMessages.map((message) => [message.to, message.wamid]));
        const wamids = messages.map(({ phone }) => byPhone.get(phone));
        return wamids.every(Boolean) ? (wamids as string[]) : undefined;
      },
      { timeoutMs: 60_000, what: '50 sends' },
    );
    await waitFor(async () => {
      const rows = await h.db.selectFrom('messages').select('status').where('location_id', '=', h.location.id).where('status', '=', 'sent').execute();
      return rows.length >= 50;
    }, { timeoutMs: 30_000, what: 'ledger rows in status sent' });

    const batch = await h.meta.emitBatch(
      sent.map((wamid) => ({ kind: 'status' as const, wamid, status: 'delivered' as const })),
      { entries: 2 },
    );
    expect(batch.statusCode).toBe(200);
    expect(batch.payload).toMatchObject({ entry: [expect.anything(), expect.anything()] });

    await waitFor(
      () => messages.every(({ payload }) => h.highLevel.statusUpdates.some((update) => update.messageId === payload.messageId && update.status === 'delivered')),
      { timeoutMs: 90_000, intervalMs: 250, what: '50 delivered statuses in HighLevel' },
    );
    for (const { payload } of messages) {
      const state = await h.temporal.workflow.getHandle(deliverWorkflowId(h.location.id, payload.messageId)).query('deliveryState');
      expect(state).toMatchObject({ status: 'delivered', channel: 'whatsapp' });
    }
  }, 180_000);

  it("applies a status only to a message its own business number sent", async () => {
    const other = await h.addLocation();
    const phone = '+15865550142';
    await h.openWindow(other.id, phone);
    h.meta.scriptReceipts(phone, []);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: other.id, phone, attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const workflowId = deliverWorkflowId(other.id, payload.messageId);
    const wamid = await waitFor(() => h.meta.sentMessages.find((message) => message.to === phone)?.wamid, { what: 'the send' });

    // The status names the other location's message but comes with this location's business number.
    const crossTenant = {
      object: 'whatsapp_business_account',
      entry: [{ id: h.location.wabaId, changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550001111', phone_number_id: h.location.phoneNumberId },
        statuses: [{ id: wamid, status: 'read', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phone.slice(1), biz_opaque_callback_data: workflowId }],
      } }] }],
    };
    const body = JSON.stringify(crossTenant);
    const refused = await fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, META_APP_SECRET) }, body });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ refused: 1, signalled: 0 });
    expect(await h.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', wamid).execute()).toEqual([]);
    expect(await h.temporal.workflow.getHandle(workflowId).query('deliveryState')).not.toMatchObject({ status: 'read' });

    expect((await h.meta.emitStatus(wamid, 'read')).statusCode).toBe(200);
    await waitFor(async () => ((await h.temporal.workflow.getHandle(workflowId).query('deliveryState')) as { status: string }).status === 'read', { what: 'the genuine read applied' });
    expect(await h.db.selectFrom('provider_receipts').select(['status', 'message_id']).where('provider_message_id', '=', wamid).execute()).toEqual([{ status: 'read', message_id: workflowId }]);
  });
});
