import fs from 'node:fs';
import path from 'node:path';
import type { LocationSettings } from '../../src/domain/locationSettings';
import { HighLevelTokenStore } from '../../src/providers/highlevel/tokenStore';
import { SecretBox } from '../../src/security/secretBox';
import { markInstalled } from '../../src/store/installs';
import { upsertLocation } from '../../src/store/locations';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome, expectNoWorkflow, expectPushedStatuses } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { waitFor } from '../support/waitFor';

/**
 * HighLevel's published examples (test/fixtures/vendor/highlevel, SOURCES.md) through the real receivers, and the
 * contacts contract (DND) through the real stack: what a HighLevel user sees. Only the ids that must name this
 * test's location are rewritten; everything else is byte for byte the vendor's.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'vendor', 'highlevel');
const example = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

const FALLBACK: LocationSettings = { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 6 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { receiptTimeoutSeconds: 30, lateReceiptWindowSeconds: 60 } });
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const newPhone = () => `+1586474${String(1000 + ++counter).padStart(4, '0')}`;
const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId);
const sentTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const smsTo = (phone: string) => h.twilio.messages.filter((message) => message.channel === 'sms' && message.to === phone);

/** Posts a signed app webhook (INSTALL / UNINSTALL) exactly as given. */
async function appWebhook(body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const response = await fetch(`${h.apiUrl}/webhooks/highlevel/app`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ghl-signature': h.caller.sign(raw) }, body: raw });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('ProviderOutboundMessage (highlevel_provider_outbound_*.json)', () => {
  it('the SMS example reaches the contact on WhatsApp as the image with the text as its caption, then shows read in HighLevel', async () => {
    const sms = example('highlevel_provider_outbound_sms.json');
    const payload = { ...sms, locationId: h.location.id };
    h.highLevel.seedContact({ id: sms.contactId as string, locationId: h.location.id, phone: sms.phone as string });
    await h.openWindow(h.location.id, sms.phone as string);

    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, sms.messageId as string))).toMatchObject({ status: 'read' });
    expect(sentTo(sms.phone as string).map((message) => message.payload)).toEqual([
      expect.objectContaining({ type: 'image', image: expect.objectContaining({ link: (sms.attachments as string[])[0], caption: sms.message }) }),
    ]);
    expectPushedStatuses(statusesFor(sms.messageId as string).map((update) => update.status), 'read');
  });

  it('the Email example is refused with 422 (this provider is SMS only) and starts nothing', async () => {
    const email = { ...example('highlevel_provider_outbound_email.json'), locationId: h.location.id } as Record<string, unknown>;
    const response = await h.caller.send(h.deliveryUrl, email);
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toMatch(/Email/);
    await expectNoWorkflow(h.temporal, deliverWorkflowId(h.location.id, email.messageId as string));
  });
});

describe('app webhooks (highlevel_app_*.json)', () => {
  it('the agency-level INSTALL example (companyId, no locationId) is acknowledged; locations come through the OAuth callback', async () => {
    const install = example('highlevel_app_install_agency.json');
    expect(await appWebhook(install)).toEqual({ status: 200, body: { received: true, ignored: 'agency-level install: each location is installed through the OAuth callback' } });
  });

  it('the UNINSTALL example removes the location: its Delivery URL then answers 404', async () => {
    const uninstall = example('highlevel_app_uninstall_location.json');
    const locationId = uninstall.locationId as string;
    // The example's location, installed with a token as the OAuth callback leaves it.
    const box = new SecretBox(h.config.ENCRYPTION_KEY as string);
    await upsertLocation(h.db, { id: locationId, whatsapp_backend: 'cloud', settings: {} });
    await markInstalled(h.db, locationId, null, new Date(Date.now() - 60_000));
    const grant = h.highLevel.issueLocationToken(locationId);
    await new HighLevelTokenStore(h.db, box, { baseUrl: h.highLevel.baseUrl }).store(locationId, { access_token: grant.access_token, refresh_token: grant.refresh_token, expires_in: grant.expires_in });

    expect(await appWebhook(uninstall)).toEqual({ status: 200, body: { received: true, uninstalled: [locationId] } });
    const sms = { ...example('highlevel_provider_outbound_sms.json'), locationId, messageId: 'GKuninstalled0000001' };
    expect((await h.caller.send(h.deliveryUrl, sms)).status).toBe(404);
    await expectNoWorkflow(h.temporal, deliverWorkflowId(locationId, 'GKuninstalled0000001'));
  });
});

describe('contact DND (contacts.json DndSettingSchema: active | inactive | permanent)', () => {
  it('a contact with permanent WhatsApp DND is not sent a WhatsApp; HighLevel shows why', async () => {
    const phone = newPhone();
    await h.openWindow(h.location.id, phone);
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { WhatsApp: { status: 'permanent' } } });
    const payload = { ...example('highlevel_provider_outbound_sms.json'), locationId: h.location.id, contactId: contact.id, phone, messageId: `GKdndperm${counter}`, attachments: [] };
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId))).toMatchObject({ status: 'failed', code: 'dnd' });
    expect(sentTo(phone)).toEqual([]);
    expect(statusesFor(payload.messageId)).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'dnd' }) })]);
  });

  it('permanent SMS DND blocks the SMS fallback', async () => {
    const location = await h.addLocation(FALLBACK);
    const phone = newPhone();
    await h.openWindow(location.id, phone);
    const contact = h.highLevel.seedContact({ locationId: location.id, phone, dndSettings: { SMS: { status: 'permanent' } } });
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026, message: '(#131026) Message undeliverable' });
    const payload = { ...example('highlevel_provider_outbound_sms.json'), locationId: location.id, contactId: contact.id, phone, messageId: `GKsmsperm${counter}`, attachments: [] };
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(location.id, payload.messageId))).toMatchObject({ status: 'failed' });
    expect(smsTo(phone)).toEqual([]);
    expect(statusesFor(payload.messageId).at(-1)).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/Do Not Disturb active for SMS/) } });
  });

  it('a WhatsApp STOP keeps the SMS DND the contact already had (HighLevel replaces the dndSettings it is sent)', async () => {
    const phone = newPhone();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { SMS: { status: 'active', message: 'set by staff' }, Email: { status: 'permanent' } } });
    const delivery = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, from: phone, type: 'text', text: 'STOP' });
    expect(await inboundOutcome(h, inboundWamid(delivery))).toMatchObject({ status: 'delivered', keyword: 'opt_out' });
    await waitFor(() => h.highLevel.contacts.get(contact.id)?.dndSettings.WhatsApp?.status === 'active', { what: 'WhatsApp DND in HighLevel' });
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings).toEqual({
      SMS: { status: 'active', message: 'set by staff' },
      Email: { status: 'permanent' },
      WhatsApp: { status: 'active', message: 'Opted out on WhatsApp with "STOP"' },
    });
  });

  it('an SMS STOP keeps the WhatsApp DND, and a WhatsApp START never lifts a permanent WhatsApp DND', async () => {
    const phone = newPhone();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { WhatsApp: { status: 'permanent', message: 'carrier complaint' } } });
    await h.twilio.emitInbound(`${h.apiUrl}/webhooks/twilio`, { accountSid: h.location.twilioAccountSid, channel: 'sms', from: phone, to: h.location.smsFrom, body: 'STOP' });
    await waitFor(() => h.highLevel.contacts.get(contact.id)?.dndSettings.SMS?.status === 'active', { what: 'SMS DND in HighLevel' });
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings.WhatsApp).toEqual({ status: 'permanent', message: 'carrier complaint' });

    const start = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, from: phone, type: 'text', text: 'START' });
    expect(await inboundOutcome(h, inboundWamid(start))).toMatchObject({ status: 'delivered', keyword: 'opt_in' });
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings).toEqual({
      WhatsApp: { status: 'permanent', message: 'carrier complaint' },
      SMS: { status: 'active', message: 'Opted out of SMS with "STOP"' },
    });
  });
});
