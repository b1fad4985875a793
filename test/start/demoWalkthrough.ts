import { waitFor } from '../support/waitFor';

/** The README's "Demo" steps, as the same HTTP calls, against a running `npm start`; each outcome checked. */
export interface DemoUrls {
  api: string;
  highLevel: string;
  meta: string;
  twilio: string;
}

const DEMO = 'demo-location';
const AUTH = { authorization: 'Bearer demo-admin-token' };
const ANA = '+15864603685';
const BEN = '+15864603700';

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function walkThroughDemo(urls: DemoUrls): Promise<void> {
  const send = async (phone: string, message: string): Promise<string> =>
    (await call('POST', `${urls.highLevel}/_sim/outbound`, { deliveryUrl: `${urls.api}/webhooks/highlevel/delivery`, overrides: { locationId: DEMO, phone, message, attachments: [] } })).body.messageId;
  const statuses = async (messageId: string): Promise<string[]> =>
    (await call('GET', `${urls.highLevel}/_sim/state`)).body.statusUpdates.filter((update: { messageId: string }) => update.messageId === messageId).map((update: { status: string }) => update.status);
  const reached = (messageId: string, wanted: string[]) => waitFor(async () => (await statuses(messageId)).some((status) => wanted.includes(status)), { timeoutMs: 90_000, what: `${wanted.join(' or ')} for ${messageId}` });
  const whatsAppTo = async (phone: string) => (await call('GET', `${urls.meta}/_sim/messages`)).body.filter((sent: { to: string }) => sent.to === phone);
  const inboundCount = async () => (await call('GET', `${urls.highLevel}/_sim/state`)).body.inboundMessages.length as number;

  // 1) The reply window: free text, delivered then read.
  await call('POST', `${urls.meta}/_sim/inbound`, { from: ANA, profileName: 'Ana', type: 'text', text: 'Hi! Is my appointment still on?' });
  await waitFor(async () => (await inboundCount()) >= 1, { what: "Ana's message in HighLevel" });
  const free = await send(ANA, 'Yes, see you Tuesday at 10:30!');
  await reached(free, ['read']);
  expect((await whatsAppTo(ANA)).map((sent: { type: string }) => sent.type)).toEqual(['text']);

  // 2) A template outside the window, after the opt-in.
  expect((await call('POST', `${urls.api}/admin/locations/${DEMO}/consent`, { records: [{ phone: BEN, status: 'opted_in', evidence: 'demo: booked by phone' }] }, AUTH)).status).toBe(200);
  const reminder = await send(BEN, 'Hi Ben, this is a reminder of your appointment on Tuesday at 10:30. Reply to confirm or reschedule.');
  await reached(reminder, ['delivered', 'read']);
  expect((await whatsAppTo(BEN)).map((sent: { payload: { template?: { name: string } } }) => sent.payload.template?.name)).toEqual(['appointment_reminder']);

  // 3) STOP: the next message to Ana is not sent.
  await call('POST', `${urls.meta}/_sim/inbound`, { from: ANA, type: 'text', text: 'STOP' });
  await waitFor(async () => (await inboundCount()) >= 2, { what: "Ana's STOP in HighLevel" });
  const afterStop = await send(ANA, 'Our summer offer: 20% off!');
  await reached(afterStop, ['failed']);
  // What Ana got after STOP: the unsubscribe confirmation, not the offer.
  const bodies = (await whatsAppTo(ANA)).map((sent: { payload: { text?: { body: string } } }) => sent.payload.text?.body ?? '');
  expect(bodies).toHaveLength(2);
  expect(bodies[1]).toMatch(/unsubscribed/);

  // 4) Replay after adding the missing template.
  const invoice = await send(BEN, 'Hi Ben, your invoice 77 is due on Friday.');
  await reached(invoice, ['failed']);
  await call('POST', `${urls.meta}/_sim/templates`, { name: 'invoice_due', language: 'en_US', components: [{ type: 'BODY', text: 'Hi {{1}}, your invoice {{2}} is due on {{3}}.' }] });
  expect((await call('POST', `${urls.api}/admin/locations/${DEMO}/templates/sync?wait=true`, undefined, AUTH)).status).toBe(200);
  const replay = await call('POST', `${urls.api}/admin/replays`, { locationId: DEMO, code: 'no_template_match' }, AUTH);
  expect(replay.status).toBe(202);
  await reached(invoice, ['delivered', 'read']);
  expect((await whatsAppTo(BEN)).map((sent: { payload: { template?: { name: string } } }) => sent.payload.template?.name)).toEqual(['appointment_reminder', 'invoice_due']);

  // 5) The SMS fallback, once.
  expect((await call('PUT', `${urls.api}/admin/locations/${DEMO}`, { settings: { smsFallback: true } }, AUTH)).status).toBe(200);
  await call('POST', `${urls.meta}/_sim/faults`, { failNextSends: { count: 1, error: { httpStatus: 400, code: 131026, message: 'Message undeliverable' } } });
  const order = await send(BEN, 'Hi Ben, your order A-1042 is ready for pickup.');
  await reached(order, ['delivered']);
  const sms = (await call('GET', `${urls.twilio}/_sim/messages`)).body.filter((message: { to: string; channel: string }) => message.to === BEN && message.channel === 'sms');
  expect(sms).toHaveLength(1);

  // 6) What it cost and saved, at the README's rates.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const rates = { currency: 'USD', effectiveFrom: '2026-01-01', whatsapp: { '*': { marketing: 0.025, utility: 0.004, authentication: 0.004, service: 0 } }, sms: { '*': 0.0079 } };
  expect((await call('PUT', `${urls.api}/admin/locations/${DEMO}/rates`, rates, AUTH)).status).toBe(200);
  const report = await call('GET', `${urls.api}/admin/locations/${DEMO}/costs?from=${day(-1)}&to=${day(0)}`, undefined, AUTH);
  expect(report.status).toBe(200);
  // By hand: Ana's reply in the window is free; Ben's two templates are utility (2 × 0.004); the blocked offer costs
  // nothing; the order went by SMS at Twilio's price (1 segment). The three that reached WhatsApp avoided 3 × 0.0079.
  expect(report.body.totals).toEqual({
    messages: 5,
    whatsAppMessages: 3,
    freeMessages: 1,
    whatsAppCost: 0.008,
    smsMessages: 1,
    smsSegments: 1,
    fallbackCost: 0.0079,
    smsAvoided: 0.0237,
    netSaving: 0.0157,
    unpriced: 0,
  });
}
