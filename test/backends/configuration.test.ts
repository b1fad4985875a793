import crypto from 'node:crypto';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { findLocation } from '../../src/store/locations';
import type { InboundOutcome } from '../../workflows/receiveInbound';
import { deliverWorkflowId } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { adminCall } from '../support/adminApi';
import { smsTo } from '../support/backends';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const admin = (method: 'GET' | 'PUT', path: string, body?: unknown) => adminCall(h.apiUrl, method, path, body);

/** A Twilio account the simulator knows, and a HighLevel installation for a new location id. */
function newAccounts() {
  const locationId = `loc-cfg-${crypto.randomBytes(4).toString('hex')}`;
  const twilio = { accountSid: `AC${crypto.randomBytes(16).toString('hex')}`, authToken: crypto.randomBytes(16).toString('hex') };
  h.twilio.registerAccount(twilio);
  const grant = h.highLevel.issueLocationToken(locationId);
  return { locationId, twilio, highLevel: { accessToken: grant.access_token, refreshToken: grant.refresh_token, expiresIn: grant.expires_in } };
}

async function sendFromHighLevel(locationId: string, phone: string, message: string) {
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId, phone, message, attachments: [] });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  return { payload, result: await deliveryOutcome(h.temporal, deliverWorkflowId(locationId, payload.messageId)) };
}

describe('per-location WhatsApp back end, configured through the admin API', () => {
  it('runs a location on Twilio for WhatsApp and SMS, and never gives the auth token back', async () => {
    const { locationId, twilio, highLevel } = newAccounts();
    const configured = await admin('PUT', `/admin/locations/${locationId}`, {
      name: 'Sunny Dental',
      whatsapp: { backend: 'twilio' },
      twilio: { ...twilio, whatsAppFrom: 'whatsapp:+15550300001', smsFrom: '+15550300002' },
      highLevel,
    });
    expect(configured.status).toBe(201);
    const expected = { whatsapp: { backend: 'twilio' }, twilio: { accountSid: twilio.accountSid, hasAuthToken: true, whatsAppFrom: '+15550300001', smsFrom: '+15550300002', messagingServiceSid: null } };
    expect(configured.body).toMatchObject(expected);
    const read = await admin('GET', `/admin/locations/${locationId}`);
    expect(read.body).toMatchObject(expected);
    expect(JSON.stringify([configured.body, read.body])).not.toContain(twilio.authToken);
    const stored = await findLocation(h.db, locationId);
    expect(stored?.twilio_auth_token_enc).toEqual(expect.any(String));
    expect(stored?.twilio_auth_token_enc).not.toContain(twilio.authToken);

    const phone = '+15864637001';
    await h.openWindow(locationId, phone);
    const { payload, result } = await sendFromHighLevel(locationId, phone, 'Your cleaning is on Friday');
    expect(result).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(h.twilio.messages.filter((message) => message.to === `whatsapp:${phone}`)).toEqual([
      expect.objectContaining({ accountSid: twilio.accountSid, from: 'whatsapp:+15550300001', body: 'Your cleaning is on Friday' }),
    ]);
    expect(h.meta.sentMessages.filter((message) => message.to === phone)).toEqual([]);
    expect(h.highLevel.finalStatus(payload.messageId)).toBe('read');

    // A reply to that number is routed by the signing account and the To number to this location.
    const reply = await h.twilio.emitInbound(`${h.apiUrl}/webhooks/twilio`, { accountSid: twilio.accountSid, from: phone, to: '+15550300001', body: 'Thanks!' });
    expect(reply.statusCode).toBe(200);
    const outcome: InboundOutcome = await h.temporal.workflow.getHandle(inboundWorkflowId('twilio', reply.messageSid)).result();
    expect(outcome).toMatchObject({ status: 'delivered' });
    expect(h.highLevel.inboundMessages.filter((message) => message.altId === reply.messageSid)).toEqual([
      expect.objectContaining({ message: 'Thanks!', contactId: outcome.contactId }),
    ]);
    expect(h.highLevel.contacts.get(outcome.contactId as string)).toMatchObject({ locationId });
  });

  it('runs a location on the Cloud API for WhatsApp with Twilio for the SMS fallback', async () => {
    const { locationId, twilio, highLevel } = newAccounts();
    const cloud = { accessToken: `wa-token-${locationId}`, wabaId: `waba-${locationId}`, phoneNumberId: `pn-${locationId}` };
    h.meta.registerAccount({ ...cloud, displayPhoneNumber: '15550003333' });
    const configured = await admin('PUT', `/admin/locations/${locationId}`, {
      whatsapp: { backend: 'cloud', ...cloud },
      twilio: { ...twilio, smsFrom: '+15550300003' },
      highLevel,
      settings: { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 4 },
    });
    expect(configured.status).toBe(201);
    expect(configured.body).toMatchObject({ whatsapp: { backend: 'cloud', hasAccessToken: true }, twilio: { hasAuthToken: true, whatsAppFrom: null, smsFrom: '+15550300003' } });

    const phone = '+15864637002';
    await h.openWindow(locationId, phone);
    h.meta.scriptReceipts(phone, []);
    const { payload, result } = await sendFromHighLevel(locationId, phone, 'Your table is ready');
    expect(result).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(h.meta.sentMessages.filter((message) => message.to === phone)).toHaveLength(1);
    expect(smsTo(h, phone)).toEqual([expect.objectContaining({ accountSid: twilio.accountSid, from: '+15550300003', body: 'Your table is ready' })]);
    expect(h.highLevel.finalStatus(payload.messageId)).toBe('delivered');
  });

  it('refuses Twilio for WhatsApp without an account, token and sender, naming each field, and stores nothing', async () => {
    const { locationId } = newAccounts();
    const missing = await admin('PUT', `/admin/locations/${locationId}`, { whatsapp: { backend: 'twilio' } });
    expect(missing.status).toBe(400);
    expect(missing.body.fields.map((field: { field: string }) => field.field)).toEqual(['twilio.accountSid', 'twilio.authToken', 'twilio.whatsAppFrom']);
    const malformed = await admin('PUT', `/admin/locations/${locationId}`, {
      whatsapp: { backend: 'twilio' },
      twilio: { accountSid: 'AC123', authToken: 'x', whatsAppFrom: '0800 FLOWERS', messagingServiceSid: 'MG1' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.fields.map((field: { field: string }) => field.field)).toEqual(['twilio.accountSid', 'twilio.whatsAppFrom', 'twilio.messagingServiceSid']);
    expect((await admin('GET', `/admin/locations/${locationId}`)).status).toBe(404);
  });
});
