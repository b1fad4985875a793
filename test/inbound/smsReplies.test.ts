import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { LocationSettings } from '../../src/domain/locationSettings';
import { buildApp } from '../../src/http/app';
import { EMPTY_TWIML } from '../../src/http/twilioWebhookRoute';
import { signTwilioRequest } from '../../src/providers/twilio/signature';
import { SecretBox } from '../../src/security/secretBox';
import { HighLevelDeliveryCaller, type InboundMedia } from '@ghl-whatsapp/simulators';
import { appendConsent, consentHistory } from '../../src/store/consent';
import { lastInboundAt } from '../../src/store/conversationWindows';
import type { InboundOutcome } from '../../workflows/receiveInbound';
import { deliverWorkflowId } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { deliveryOutcome, expectSameRun } from '../support/expectations';
import { listenOnFreePort } from '../support/waitFor';

/** A location whose WhatsApp runs on the Cloud API and whose SMS fallback is a Twilio number (the harness default back end). */
const FALLBACK: LocationSettings = { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 6 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: FALLBACK });
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const newPhone = () => `+1586473${String(1000 + ++counter).padStart(4, '0')}`;

/** The contact texts the location's SMS number; Twilio posts its signed "A message comes in" webhook to the product. */
async function smsReply(from: string, body: string, options: { media?: InboundMedia[]; location?: TestLocation } = {}) {
  const location = options.location ?? h.location;
  const delivery = await h.twilio.emitInbound(`${h.apiUrl}/webhooks/twilio`, {
    accountSid: location.twilioAccountSid,
    channel: 'sms',
    from,
    to: location.smsFrom,
    body,
    ...(options.media ? { media: options.media } : {}),
  });
  const redeliver = async () => {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': delivery.signature },
      body: new URLSearchParams(delivery.params).toString(),
    });
    await response.arrayBuffer();
    return response.status;
  };
  return { ...delivery, workflowId: inboundWorkflowId('twilio', delivery.messageSid), redeliver };
}

const outcomeOf = (reply: { workflowId: string }): Promise<InboundOutcome> => h.temporal.workflow.getHandle(reply.workflowId).result();
const inHighLevel = (messageSid: string) => h.highLevel.inboundMessages.filter((message) => message.altId === messageSid);
const contactOf = (phone: string) => [...h.highLevel.contacts.values()].find((contact) => contact.phone === phone);
const whatsAppTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const smsTo = (phone: string) => h.twilio.messages.filter((message) => message.channel === 'sms' && message.to === phone);

/** HighLevel sends the contact a message through the Delivery URL; resolves with the delivery workflow's outcome. */
async function sendFromHighLevel(phone: string, location: TestLocation = h.location) {
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, contactId: contactOf(phone)?.id, phone, attachments: [], message: 'See you tomorrow at 10' });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  const result = await deliveryOutcome(h.temporal, deliverWorkflowId(location.id, payload.messageId));
  return { result, statusUpdates: h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId) };
}

describe('SMS replies to the Twilio SMS fallback number', () => {
  it("threads the reply into the contact's HighLevel conversation with the MessageSid as altId, once however often Twilio redelivers it", async () => {
    const phone = newPhone();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, name: 'Ana Lima' });

    const reply = await smsReply(phone, 'C');
    expect(reply).toMatchObject({ statusCode: 200, responseContentType: 'text/xml', responseBody: EMPTY_TWIML });
    expect(await Promise.all([reply.redeliver(), reply.redeliver()])).toEqual([200, 200]);

    expect(await outcomeOf(reply)).toMatchObject({ status: 'delivered', contactId: contact.id });
    expect(inHighLevel(reply.messageSid)).toEqual([
      expect.objectContaining({ type: 'SMS', contactId: contact.id, message: 'C', attachments: [], altId: reply.messageSid, direction: 'inbound' }),
    ]);
    expect([...h.highLevel.contacts.values()].filter((known) => known.phone === phone)).toHaveLength(1);

    const { runId } = await h.temporal.workflow.getHandle(reply.workflowId).describe();
    expect(await reply.redeliver()).toBe(200);
    await expectSameRun(h.temporal, reply.workflowId, runId);
    expect(inHighLevel(reply.messageSid)).toHaveLength(1);
  });

  it("re-hosts an MMS image with the location's Twilio credentials although its WhatsApp runs on the Cloud API: the attachment has exactly the bytes sent", async () => {
    const phone = newPhone();
    const bytes = crypto.randomBytes(40 * 1024);
    const reply = await smsReply(phone, 'My insurance card', { media: [{ contentType: 'image/jpeg', bytes }] });
    expect(await outcomeOf(reply)).toMatchObject({ status: 'delivered', attachments: 1, placeholders: 0 });

    // An unknown sender gets a new contact, marked as coming from SMS.
    expect(contactOf(phone)).toMatchObject({ locationId: h.location.id, source: 'SMS' });
    const [message] = inHighLevel(reply.messageSid);
    expect(message).toMatchObject({ type: 'SMS', contactId: contactOf(phone)?.id, message: 'My insurance card', attachments: [expect.stringMatching(/\.jpg$/)] });
    const downloaded = Buffer.from(await (await fetch(message?.attachments?.[0] as string)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('does not open the WhatsApp 24-hour window or touch the WhatsApp consent ledger: free text right after it is still not sent', async () => {
    const noFallback = await h.addLocation({});
    const phone = newPhone();
    await appendConsent(h.db, { locationId: noFallback.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });

    expect(await outcomeOf(await smsReply(phone, 'Sounds good, thanks', { location: noFallback }))).toMatchObject({ status: 'delivered' });
    expect(await lastInboundAt(h.db, noFallback.id, phone)).toBeNull();
    expect((await consentHistory(h.db, noFallback.id, phone)).map((entry) => entry.source)).toEqual(['api_import']);

    const { result, statusUpdates } = await sendFromHighLevel(phone, noFallback);
    expect(result).toMatchObject({ status: 'failed' });
    expect(whatsAppTo(phone)).toEqual([]);
    expect(statusUpdates).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'no_template_match', message: expect.stringMatching(/^outside the 24-hour window/) }) }),
    ]);
  });

  it('SMS STOP sets SMS DND in HighLevel (not WhatsApp DND or consent), so the next SMS fallback is refused with the reason; START lifts it', async () => {
    const phone = newPhone();
    const stop = await smsReply(phone, 'Stop');
    expect(stop.statusCode).toBe(200);
    const stopped = await outcomeOf(stop);
    expect(stopped).toMatchObject({ status: 'delivered', keyword: 'opt_out' });
    expect(stopped.confirmation).toBeUndefined();
    expect(inHighLevel(stop.messageSid).map((message) => message.message)).toEqual(['Stop']);
    expect(contactOf(phone)?.dndSettings).toEqual({ SMS: { status: 'active', message: 'Opted out of SMS with "STOP"' } });
    expect(contactOf(phone)?.tags).toEqual([]);
    expect(await consentHistory(h.db, h.location.id, phone)).toEqual([]);
    // Twilio answers STOP itself: no confirmation from us on either channel.
    expect(whatsAppTo(phone)).toEqual([]);
    expect(smsTo(phone)).toEqual([]);

    // WhatsApp may still reach the contact; when it fails, the SMS fallback is refused because of the mirrored DND.
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(h.location.id, phone);
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026, message: '(#131026) Message undeliverable' });
    const refused = await sendFromHighLevel(phone);
    expect(refused.result).toMatchObject({ status: 'failed' });
    expect(smsTo(phone)).toEqual([]);
    expect(refused.statusUpdates).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ message: expect.stringMatching(/no SMS fallback: contact has Do Not Disturb active for SMS in HighLevel$/) }) }),
    ]);

    const start = await smsReply(phone, 'START');
    expect(await outcomeOf(start)).toMatchObject({ status: 'delivered', keyword: 'opt_in' });
    expect(contactOf(phone)?.dndSettings.SMS).toEqual({ status: 'inactive', message: 'Opted back in to SMS with "START"' });
    expect(contactOf(phone)?.dndSettings.WhatsApp).toBeUndefined();
  });

  it('leaves an SMS DND set by staff alone when the contact answers "Yes" without having sent STOP', async () => {
    const phone = newPhone();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { SMS: { status: 'active', message: 'set by staff' } } });
    expect(await outcomeOf(await smsReply(phone, 'Yes'))).toMatchObject({ status: 'delivered', keyword: 'opt_in', contactId: contact.id });
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings.SMS).toEqual({ status: 'active', message: 'set by staff' });
  });

  it('answers 503 while Temporal is down, so that Twilio retries; the retry is threaded once Temporal is back', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
    const downConfig = { ...h.config };
    const down = buildApp({ config: downConfig, db: h.db, temporal: new Client({ connection }), box: new SecretBox(h.config.ENCRYPTION_KEY as string) });
    try {
      downConfig.PUBLIC_BASE_URL = await listenOnFreePort(down);
      const phone = newPhone();
      const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
      const form = { MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AccountSid: h.location.twilioAccountSid, From: phone, To: h.location.smsFrom, Body: 'Running 5 min late', NumMedia: '0', SmsStatus: 'received' };
      const post = async (base: string) => {
        const response = await fetch(`${base}/webhooks/twilio`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(h.location.twilioAuthToken, `${base}/webhooks/twilio`, form) },
          body: new URLSearchParams(form).toString(),
        });
        return { status: response.status, body: await response.text() };
      };

      expect((await post(downConfig.PUBLIC_BASE_URL)).status).toBe(503);
      expect(await h.db.selectFrom('inbound_messages').selectAll().where('provider_message_id', '=', sid).execute()).toEqual([]);

      expect(await post(h.apiUrl)).toEqual({ status: 200, body: EMPTY_TWIML });
      expect(await outcomeOf({ workflowId: inboundWorkflowId('twilio', sid) })).toMatchObject({ status: 'delivered' });
      expect(inHighLevel(sid).map((message) => message.message)).toEqual(['Running 5 min late']);
    } finally {
      await down.close();
      await connection.close().catch(() => undefined);
    }
  });
});
