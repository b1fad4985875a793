import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { deliverWorkflowId } from '../../workflows/shared';
import { ADMIN_TOKEN, startHarness, type Harness, type TestLocation } from '../support/harness';
import { adminCall } from '../support/adminApi';
import { vendorJson } from '../support/vendorFixtures';
import { waitFor } from '../support/waitFor';

/**
 * Issue 18 on the real stack: Meta's statuses (the published PMP example among them) and Twilio's priced SMS
 * fallback reach the ledger, and the cost report adds them up as computed here by hand.
 */
const RATES = { currency: 'USD', effectiveFrom: '2026-01-01', whatsapp: { '*': { marketing: 0.025, utility: 0.004, authentication: 0.004, service: 0 } }, sms: { '*': 0.0079 } };
const REMINDER = 'Hi Ana, your appointment is on May 3 at 10:00.';
const SALE = 'Spring sale: 20% off all whitening treatments this week.';
// UCS-2 (the emoji and "á"), 84 UTF-16 units: two SMS segments.
const REPLY = `Olá Ana! 😀 ${'Sure, see you tomorrow. '.repeat(3)}`;

type PublishedStatus = { entry: Array<{ changes: Array<{ value: { metadata: Record<string, string>; statuses: Array<Record<string, unknown>> } }> }> };

let h: Harness;
let location: TestLocation;
beforeAll(async () => {
  h = await startHarness({ settings: { smsFallback: true, smsFallbackDeadlineSeconds: 60, receiptTimeoutSeconds: 60, lateReceiptWindowSeconds: 60 } });
  location = h.location;
  h.meta.upsertTemplate(location.wabaId, { name: 'appointment_reminder', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }] });
  h.meta.upsertTemplate(location.wabaId, { name: 'spring_sale', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Spring sale: {{1}} off all whitening treatments this week.' }] });
  expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${location.id}/templates/sync?wait=true`)).status).toBe(200);
  // Twilio's price per segment differs from the rate card's, so the report shows which one it used.
  h.twilio.setPrices({ smsPerSegment: 0.0083 });
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
async function send(text: string, options: { window?: boolean } = {}) {
  counter += 1;
  const phone = `+1586777${String(1000 + counter)}`;
  await appendConsent(h.db, { locationId: location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
  if (options.window) await h.openWindow(location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, message: text, attachments: [] });
  return { phone, payload, workflowId: deliverWorkflowId(location.id, payload.messageId) };
}

const ledgerRow = (workflowId: string) => h.db.selectFrom('messages').selectAll().where('id', '=', workflowId).executeTakeFirstOrThrow();
const wamidTo = (phone: string) => waitFor(() => h.meta.sentMessages.find((message) => message.to === phone || `+${message.to}` === phone)?.wamid, { what: `the WhatsApp send to ${phone}` });
const delivered = (workflowId: string) => waitFor(async () => ((await ledgerRow(workflowId)).status === 'delivered' ? true : undefined), { what: `${workflowId} delivered` });

describe('rate cards', () => {
  it('are validated (400 with the reasons, nothing stored), stored and read back', async () => {
    const bad = await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, { currency: 'usd', effectiveFrom: '2026-13-01', whatsapp: { usa: { marketing: -1, promo: 1 } }, sms: { '*': 'cheap' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((field: { field: string }) => field.field)).toEqual(['currency', 'effectiveFrom', 'whatsapp.usa', 'sms.*']);
    const badPrices = await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, { ...RATES, whatsapp: { US: { marketing: -1, promo: 1 } } });
    expect(badPrices.body.fields.map((field: { field: string }) => field.field)).toEqual(['whatsapp.US.marketing', 'whatsapp.US']);
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/rates`)).body).toEqual({ locationId: location.id, current: null, cards: [] });
    expect((await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, RATES, 'wrong-token')).status).toBe(401);
    expect((await adminCall(h.apiUrl, 'PUT', '/admin/locations/nowhere/rates', RATES)).status).toBe(404);

    expect(await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, RATES)).toMatchObject({ status: 200, body: RATES });
    const euros = await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, { ...RATES, currency: 'EUR', effectiveFrom: '2027-01-01' });
    expect(euros).toMatchObject({ status: 400, body: { fields: [{ field: 'currency', problem: "the location's other rate cards are in USD" }] } });
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/rates`)).body).toEqual({ locationId: location.id, current: RATES, cards: [RATES] });
  });
});

describe('template category awareness', () => {
  it('the dry-run says what a send is billed as', async () => {
    const { body } = await adminCall(h.apiUrl, 'POST', `/admin/locations/${location.id}/templates/dry-run`, {
      cases: [{ text: SALE }, { text: REMINDER }, { text: REMINDER, windowOpen: true }, { text: 'Nothing matches this' }],
    });
    expect(body.results.map((result: { kind: string; billedAs: string | null }) => [result.kind, result.billedAs])).toEqual([
      ['template', 'marketing'],
      ['template', 'utility'],
      ['free_text', 'service'],
      ['none', null],
    ]);
  });
});

describe('cost report', () => {
  it('adds up free replies, a marketing template (Meta’s published PMP status) and a Twilio-priced SMS fallback', async () => {
    expect((await adminCall(h.apiUrl, 'PUT', `/admin/locations/${location.id}/rates`, RATES)).status).toBe(200);
    // A: a reply inside the customer-service window; Meta prices it service / free_customer_service (PMP).
    const reply = await send(REPLY, { window: true });
    h.meta.scriptReceipts(reply.phone, [{ status: 'sent' }, { status: 'delivered' }]);
    // D: another, one GSM-7 segment.
    const shortReply = await send('See you then!', { window: true });
    h.meta.scriptReceipts(shortReply.phone, [{ status: 'sent' }, { status: 'delivered' }]);
    // B: a marketing template outside the window, whose `sent` status is Meta's published example.
    const sale = await send(SALE);
    h.meta.scriptReceipts(sale.phone, []);
    // C: a utility reminder that WhatsApp cannot deliver (131026): the SMS fallback goes out, Twilio prices it.
    const reminder = await send(REMINDER);
    h.meta.scriptReceipts(reminder.phone, [{ status: 'failed', error: { code: 131026 } }]);
    for (const message of [reply, shortReply, sale, reminder]) expect((await h.caller.send(h.deliveryUrl, message.payload)).status).toBe(200);

    const saleWamid = await wamidTo(sale.phone);
    // Meta's example with the ids of our send: its number, the wamid, the contact and our reference.
    const published = vendorJson<PublishedStatus>('meta_pricing_sent_marketing_pmp_conversation.json');
    const value = published.entry[0]!.changes[0]!.value;
    value.metadata.phone_number_id = location.phoneNumberId;
    Object.assign(value.statuses[0]!, { id: saleWamid, recipient_id: sale.phone.slice(1), biz_opaque_callback_data: sale.workflowId });
    expect((await h.meta.deliverRaw(published)).statusCode).toBe(200);
    await h.meta.emitStatus(saleWamid, 'delivered');

    await Promise.all([reply, shortReply, sale, reminder].map((message) => delivered(message.workflowId)));
    // The first receipt with pricing is on the ledger row (the published example's conversation, not the later status's).
    expect(await ledgerRow(sale.workflowId)).toMatchObject({
      pricing_category: 'marketing',
      pricing_billable: true,
      pricing_type: 'regular',
      pricing_model: 'PMP',
      conversation_id: '72b14d6bd5407799e66f64d1b338e567',
      conversation_origin: 'marketing',
      sms_segments: 1,
      sms_encoding: 'GSM-7',
    });
    expect(await ledgerRow(reply.workflowId)).toMatchObject({ pricing_category: 'service', pricing_billable: false, pricing_type: 'free_customer_service', sms_segments: 2, sms_encoding: 'UCS-2' });
    expect(await ledgerRow(reminder.workflowId)).toMatchObject({ channel: 'sms', pricing_category: null, sms_price: null });
    // The timeline says what the reminder was billed as.
    const timeline = (await adminCall(h.apiUrl, 'GET', `/admin/messages/${reminder.workflowId}`)).body.timeline as Array<{ type: string; detail: Record<string, unknown> }>;
    expect(timeline.find((event) => event.type === 'decided')?.detail).toMatchObject({ billedAs: 'utility' });

    const today = new Date().toISOString().slice(0, 10);
    const { status, body } = await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/costs?from=${today}&to=${today}`);
    expect(status).toBe(200);
    const byId = Object.fromEntries((body.messages as Array<{ messageId: string }>).map((row) => [row.messageId, row]));
    expect(byId[reply.workflowId]).toMatchObject({ channel: 'whatsapp', category: 'service', pricingType: 'free_customer_service', pricingModel: 'PMP', whatsAppCost: 0, whatsAppCostSource: 'free', smsSegments: 2, smsAvoided: 0.0158 });
    expect(byId[shortReply.workflowId]).toMatchObject({ whatsAppCostSource: 'free', smsSegments: 1, smsAvoided: 0.0079 });
    expect(byId[sale.workflowId]).toMatchObject({ channel: 'whatsapp', category: 'marketing', billable: true, whatsAppCost: 0.025, whatsAppCostSource: 'rate', smsAvoided: 0.0079 });
    expect(byId[reminder.workflowId]).toMatchObject({ channel: 'both', category: 'utility', whatsAppCost: 0, whatsAppCostSource: 'none', smsSegments: 1, smsCost: 0.0083, smsCostSource: 'provider', smsAvoided: 0 });
    // By hand: WhatsApp 0.025 (the marketing template; the replies are free, the failed reminder is not billed);
    // avoided 2 × 0.0079 + 0.0079 + 0.0079 = 0.0316; Twilio's price of the fallback 0.0083; saving 0.0316 − 0.025.
    expect(body).toMatchObject({
      locationId: location.id,
      currency: 'USD',
      totals: { messages: 4, whatsAppMessages: 4, freeMessages: 2, whatsAppCost: 0.025, smsMessages: 1, smsSegments: 1, fallbackCost: 0.0083, smsAvoided: 0.0316, netSaving: 0.0066, unpriced: 0 },
    });
    expect(body.byChannelAndCategory).toEqual([
      { channel: 'sms', category: null, messages: 1, free: 0, segments: 1, cost: 0.0083 },
      { channel: 'whatsapp', category: 'marketing', messages: 1, free: 0, segments: 0, cost: 0.025 },
      { channel: 'whatsapp', category: 'service', messages: 2, free: 2, segments: 0, cost: 0 },
      { channel: 'whatsapp', category: 'utility', messages: 1, free: 0, segments: 0, cost: 0 },
    ]);
    // Twilio's price (null until final, then "-0.00830") was fetched once and kept on the ledger row.
    expect(await ledgerRow(reminder.workflowId)).toMatchObject({ sms_price: '0.0083', sms_price_unit: 'USD', sms_billed_segments: 1 });

    const csv = await fetch(`${h.apiUrl}/admin/locations/${location.id}/costs?from=${today}&to=${today}&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines.find((line) => line.startsWith(`${reminder.workflowId},`))).toMatch(/,US,both,utility,true,,,0,none,1,0\.0083,provider,0$/);
    expect(lines.at(-1)).toBe('total,,,,,,,,0.025,,,0.0083,,0.0316');
  });

  it('refuses a bad period with the reason', async () => {
    const bad = await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/costs?from=2026-12-01&to=2026-11-01`);
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'to', problem: 'from must be before to' }] } });
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/costs?from=yesterday&to=2026-11-01`)).status).toBe(400);
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/costs?from=2026-11-01&to=2026-11-02&format=pdf`)).status).toBe(400);
  });
});
