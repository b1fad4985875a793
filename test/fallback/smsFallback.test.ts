import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import type { LocationSettings } from '../../src/domain/locationSettings';
import { appendConsent } from '../../src/store/consent';
import { ledgerTimeline } from '../../src/store/ledger';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { waitFor } from '../support/waitFor';

const FALLBACK: LocationSettings = { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 6 };
const REMINDER = 'Hi Ana, your appointment is on May 3 at 10:00.';

let h: Harness;
let location: TestLocation;
beforeAll(async () => {
  h = await startHarness({ settings: FALLBACK });
  location = h.location;
  h.meta.upsertTemplate(location.wabaId, {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
  });
  expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${location.id}/templates/sync?wait=true`)).status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
/** An appointment reminder to an opted-in contact whose 24-hour window is closed (the usual reminder case). */
async function reminder(options: { at?: TestLocation; contactId?: string; window?: boolean } = {}) {
  const at = options.at ?? location;
  counter += 1;
  const phone = `+1586888${String(1000 + counter)}`;
  await appendConsent(h.db, { locationId: at.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
  if (options.window) await h.openWindow(at.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: at.id, phone, message: REMINDER, attachments: [], ...(options.contactId ? { contactId: options.contactId } : {}) });
  return { phone, payload, workflowId: deliverWorkflowId(at.id, payload.messageId) };
}

const smsTo = (phone: string) => h.twilio.messages.filter((message) => message.channel === 'sms' && message.to === phone);
const whatsAppTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId).map((update) => update.status);
const ledgerRow = (workflowId: string) => h.db.selectFrom('messages').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();

describe('SMS fallback', () => {
  it('sends the reminder as a template, then exactly one SMS when no WhatsApp receipt comes by the deadline', async () => {
    const { phone, payload, workflowId } = await reminder();
    h.meta.scriptReceipts(phone, []);
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    await waitFor(() => whatsAppTo(phone).length === 1, { what: 'the WhatsApp template' });
    expect(whatsAppTo(phone)[0]?.payload).toMatchObject({ type: 'template', template: { name: 'appointment_reminder' } });
    const sms = await waitFor(() => smsTo(phone)[0], { what: 'the fallback SMS' });
    expect(sms).toMatchObject({ from: location.smsFrom, body: REMINDER, statusCallback: expect.stringContaining('/webhooks/twilio?ref=') });

    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(smsTo(phone)).toHaveLength(1);
    expect(statusesFor(payload.messageId)).toEqual(['delivered']);
    expect(await ledgerRow(workflowId)).toMatchObject({ channel: 'sms', status: 'delivered', status_reason: 'sms after no WhatsApp receipt in 2 s' });
    const timeline = await ledgerTimeline(h.db, workflowId);
    expect(timeline.map((event) => event.type)).toEqual(expect.arrayContaining(['sent', 'fallback', 'sms_sent', 'receipt', 'status_pushed']));
    expect(timeline.find((event) => event.type === 'fallback')?.detail).toMatchObject({ trigger: 'no_receipt' });
  });

  it('sends no SMS when WhatsApp reports delivered before the deadline', async () => {
    // A deadline far beyond any scheduling delay of a busy machine: the receipt wins by the rule, not by luck.
    const patient = await h.addLocation({ ...FALLBACK, smsFallbackDeadlineSeconds: 10, lateReceiptWindowSeconds: 10 });
    const { phone, payload, workflowId } = await reminder({ at: patient, window: true });
    h.meta.scriptReceipts(phone, [{ status: 'sent' }, { status: 'delivered' }]);
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'whatsapp' });
    expect(smsTo(phone)).toEqual([]);
    expect(statusesFor(payload.messageId)).toEqual(['delivered']);
  });

  it('falls back at once when WhatsApp says the number is not on WhatsApp (131026)', async () => {
    const patient = await h.addLocation({ ...FALLBACK, smsFallbackDeadlineSeconds: 120, lateReceiptWindowSeconds: 130 });
    const { phone, payload, workflowId } = await reminder({ at: patient, window: true });
    h.meta.scriptReceipts(phone, [{ status: 'failed', error: { code: 131026, title: 'Message undeliverable' } }]);
    await h.caller.send(h.deliveryUrl, payload);
    // Far sooner than the 120 s deadline: the SMS does not wait for it.
    const sms = await waitFor(() => smsTo(phone)[0], { timeoutMs: 20_000, what: 'an immediate SMS' });
    expect(sms.body).toBe(REMINDER);
    await waitFor(() => statusesFor(payload.messageId).includes('delivered'), { what: 'delivered in HighLevel' });
    expect(await ledgerRow(workflowId)).toMatchObject({
      channel: 'sms',
      status_reason: 'sms after WhatsApp error 131026: the number is not on WhatsApp or cannot receive messages (old app, terms not accepted)',
    });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(smsTo(phone)).toHaveLength(1);
  });

  it('sends no SMS when HighLevel has DND for SMS, and tells HighLevel why', async () => {
    const { phone, payload, workflowId } = await reminder({ window: true });
    const contact = h.highLevel.seedContact({ locationId: location.id, phone, dndSettings: { SMS: { status: 'active' } } });
    payload.contactId = contact.id;
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026, message: '(#131026) Message undeliverable' });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    expect(smsTo(phone)).toEqual([]);
    const update = h.highLevel.statusUpdates.find((entry) => entry.messageId === payload.messageId);
    expect(update).toMatchObject({
      status: 'failed',
      error: { code: '131026', message: expect.stringMatching(/no SMS fallback: contact has Do Not Disturb active for SMS in HighLevel$/) },
    });
  });

  it('still sends exactly one SMS when the worker dies while the deadline timer runs', async () => {
    const { phone, payload, workflowId } = await reminder();
    h.meta.scriptReceipts(phone, []);
    await h.caller.send(h.deliveryUrl, payload);
    await waitFor(() => whatsAppTo(phone).length === 1, { what: 'the WhatsApp template' });
    await h.restartWorker();
    await waitFor(() => smsTo(phone).length > 0, { timeoutMs: 30_000, what: 'the SMS after the restart' });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(smsTo(phone)).toHaveLength(1);
  });

  it('records a WhatsApp delivery after the SMS as late: both channels delivered, HighLevel shows the best status', async () => {
    const listening = await h.addLocation({ ...FALLBACK, lateReceiptWindowSeconds: 120 });
    const { phone, payload, workflowId } = await reminder({ at: listening, window: true });
    h.meta.scriptReceipts(phone, []);
    await h.caller.send(h.deliveryUrl, payload);
    const whatsApp = await waitFor(() => whatsAppTo(phone)[0], { what: 'the WhatsApp message' });
    await waitFor(() => statusesFor(payload.messageId).includes('delivered'), { what: 'the SMS delivered in HighLevel' });
    // WhatsApp comes through after the SMS went out.
    await h.meta.emitStatus(whatsApp.wamid, 'delivered');
    await h.meta.emitStatus(whatsApp.wamid, 'read');
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'both' });
    expect(smsTo(phone)).toHaveLength(1);
    expect(statusesFor(payload.messageId)).toEqual(['delivered', 'read']);
    const timeline = await ledgerTimeline(h.db, workflowId);
    expect(timeline.map((event) => event.type)).toContain('delivered_twice');
    expect(await ledgerRow(workflowId)).toMatchObject({ channel: 'both' });
  });

  it('marks fallback in the search attributes ops filter on', async () => {
    const { phone, payload, workflowId } = await reminder();
    h.meta.scriptReceipts(phone, []);
    await h.caller.send(h.deliveryUrl, payload);
    await deliveryOutcome(h.temporal, workflowId);
    const found = await waitFor(async () => {
      for await (const execution of h.temporal.workflow.list({ query: `HighLevelMessageId="${payload.messageId}" AND FallbackReason="no_receipt"` })) return execution;
      return undefined;
    });
    expect(found.searchAttributes).toMatchObject({ DeliveryChannel: ['sms'], DeliveryStatus: ['delivered'] });
  });

  it('does nothing of the kind when the location has no fallback', async () => {
    const plain = await h.addLocation({ receiptTimeoutSeconds: 1, lateReceiptWindowSeconds: 2 });
    const { phone, payload, workflowId } = await reminder({ at: plain, window: true });
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026 });
    await h.caller.send(h.deliveryUrl, payload);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed', code: '131026' });
    expect(smsTo(phone)).toEqual([]);
  });
});
