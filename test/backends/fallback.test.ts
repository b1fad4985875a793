import type { LocationSettings } from '../../src/domain/locationSettings';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { BACKENDS, driverFor, smsTo, type BackendDriver } from '../support/backends';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { waitFor } from '../support/waitFor';

const FALLBACK: LocationSettings = { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 4 };
const TEXT = 'Your table for two is ready at 7pm.';

describe.each(BACKENDS)('SMS fallback when WhatsApp over the %s back end does not deliver', (backend) => {
  let h: Harness;
  let provider: BackendDriver;
  beforeAll(async () => {
    h = await startHarness({ backend, settings: FALLBACK });
    provider = driverFor(h, backend);
  });
  afterAll(async () => {
    await h?.stop();
  });

  let counter = 0;
  /** HighLevel's message to a contact who wrote within the last 24 hours (free text may go out). */
  async function newMessage(location: TestLocation = h.location) {
    counter += 1;
    const phone = `+1586889${String(1000 + counter)}`;
    await h.openWindow(location.id, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, message: TEXT, attachments: [] });
    return { phone, payload, workflowId: deliverWorkflowId(location.id, payload.messageId) };
  }
  const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId).map((update) => update.status);
  const ledgerRow = (workflowId: string) => h.db.selectFrom('messages').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();

  it('sends exactly one SMS at the deadline when no WhatsApp receipt comes, and its delivered callback shows delivered in HighLevel', async () => {
    const { phone, payload, workflowId } = await newMessage();
    provider.scriptReceipts(phone, []);
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    const whatsApp = await waitFor(() => provider.sentTo(phone)[0], { what: 'the WhatsApp message' });
    const sms = await waitFor(() => smsTo(h, phone)[0], { what: 'the fallback SMS' });
    expect(sms).toMatchObject({ from: h.location.smsFrom, body: TEXT });
    expect(sms.createdAt - whatsApp.at).toBeGreaterThanOrEqual(1900);

    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(statusesFor(payload.messageId)).toEqual(['delivered']);
    expect(await ledgerRow(workflowId)).toMatchObject({ channel: 'sms', status: 'delivered', status_reason: 'sms after no WhatsApp receipt in 2 s' });
    expect(smsTo(h, phone)).toHaveLength(1);
    expect(provider.sentTo(phone)).toHaveLength(1);
  });

  it('sends the SMS at once when the number is not on WhatsApp (Meta 131026 / Twilio 63024)', async () => {
    const patient = await h.addLocation({ ...FALLBACK, smsFallbackDeadlineSeconds: 120, lateReceiptWindowSeconds: 130 }, backend);
    const { phone, payload, workflowId } = await newMessage(patient);
    provider.scriptReceipts(phone, [{ status: 'failed', errorCode: provider.notOnWhatsAppCode }]);
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    // Far sooner than the 120 s deadline: the SMS does not wait for it.
    const sms = await waitFor(() => smsTo(h, phone)[0], { timeoutMs: 20_000, what: 'an immediate SMS' });
    expect(sms).toMatchObject({ from: patient.smsFrom, body: TEXT });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(statusesFor(payload.messageId)).toEqual(['delivered']);
    expect((await ledgerRow(workflowId)).status_reason).toMatch(new RegExp(`^sms after (WhatsApp|Twilio) error ${provider.notOnWhatsAppCode}: the number is not on WhatsApp`));
    expect(smsTo(h, phone)).toHaveLength(1);
  });
});
