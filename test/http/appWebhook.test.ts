import crypto from 'node:crypto';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { adminCall } from '../support/adminApi';
import { startHarness, type Harness } from '../support/harness';

/** HighLevel's app webhook (INSTALL / UNINSTALL, highlevel.md §7), signed with X-GHL-Signature. */

let h: Harness;
let appWebhookUrl: string;
beforeAll(async () => {
  h = await startHarness({ env: { HIGHLEVEL_CLIENT_ID: 'sim-client-id', HIGHLEVEL_CLIENT_SECRET: 'sim-client-secret' } });
  appWebhookUrl = `${h.apiUrl}/webhooks/highlevel/app`;
});
afterAll(async () => {
  await h?.stop();
});

const newId = (prefix: string) => `${prefix}${crypto.randomBytes(6).toString('hex')}`;
const tokenRows = (locationIds: string[]) => h.db.selectFrom('highlevel_tokens').select('location_id').where('location_id', 'in', locationIds).execute();
const describeLocation = async (locationId: string) => (await adminCall(h.apiUrl, 'GET', `/admin/locations/${locationId}`)).body;

/** What HighLevel's Delivery URL post for this location gets answered. */
async function deliver(locationId: string) {
  return h.caller.send(h.deliveryUrl, HighLevelDeliveryCaller.examplePayload({ locationId, phone: '+15864607101', attachments: [] }));
}

function uninstall(fields: { locationId?: string; companyId?: string; webhookId?: string; timestamp?: string }) {
  return h.caller.send(appWebhookUrl, { type: 'UNINSTALL', appId: 've9EPM428h8vShlRW1KT', ...fields });
}

describe('POST /webhooks/highlevel/app', () => {
  it('answers 401 to an unsigned or wrongly signed UNINSTALL and changes nothing', async () => {
    const location = await h.addLocation();
    const event = { type: 'UNINSTALL', appId: 've9EPM428h8vShlRW1KT', locationId: location.id };
    for (const signature of ['none', 'wrong', 'N/A'] as const) {
      const response = await h.caller.send(appWebhookUrl, event, { signature });
      expect(response).toMatchObject({ status: 401, body: { error: 'invalid or missing X-GHL-Signature' } });
    }
    expect(await tokenRows([location.id])).toHaveLength(1);
    expect((await deliver(location.id)).status).toBe(200);
  });

  it('UNINSTALL forgets the location\'s tokens and its Delivery URL then answers 404 "has not installed"', async () => {
    const location = await h.addLocation();
    const response = await uninstall({ locationId: location.id, webhookId: crypto.randomUUID() });
    expect(response).toMatchObject({ status: 200, body: { received: true, uninstalled: [location.id] } });

    expect(await tokenRows([location.id])).toEqual([]);
    const delivery = await deliver(location.id);
    expect(delivery.status).toBe(404);
    expect((delivery.body as { error: string }).error).toMatch(/has not installed/);
    expect(await describeLocation(location.id)).toMatchObject({
      highLevel: { installed: false, tokenExpiresAt: null, uninstalledAt: expect.any(String) },
      // The WhatsApp configuration stays, ready for a reinstall.
      whatsapp: { phoneNumberId: location.phoneNumberId, hasAccessToken: true },
    });
  });

  it('a redelivered UNINSTALL is harmless, even after the location installed again', async () => {
    const location = await h.addLocation();
    const webhookId = crypto.randomUUID();
    expect((await uninstall({ locationId: location.id, webhookId })).status).toBe(200);

    const code = h.highLevel.createAuthorizationCode(location.id);
    expect((await fetch(`${h.apiUrl}/oauth/callback?code=${code}`)).status).toBe(200);
    expect((await describeLocation(location.id)).highLevel).toMatchObject({ installed: true, uninstalledAt: null });

    const again = await uninstall({ locationId: location.id, webhookId });
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await tokenRows([location.id])).toHaveLength(1);
    expect((await deliver(location.id)).status).toBe(200);
  });

  it('an UNINSTALL older than the latest install does not remove it', async () => {
    const location = await h.addLocation();
    const code = h.highLevel.createAuthorizationCode(location.id);
    expect((await fetch(`${h.apiUrl}/oauth/callback?code=${code}`)).status).toBe(200);
    const stale = await uninstall({ locationId: location.id, webhookId: crypto.randomUUID(), timestamp: new Date(Date.now() - 60_000).toISOString() });
    expect(stale).toMatchObject({ status: 200, body: { uninstalled: [] } });
    expect((await deliver(location.id)).status).toBe(200);
  });

  it('an agency UNINSTALL removes every location of that company, and no other', async () => {
    const companyId = newId('COMPuninstall');
    const approved = [newId('LOCuA'), newId('LOCuB')];
    const code = h.highLevel.createAgencyAuthorizationCode(companyId, approved);
    expect((await fetch(`${h.apiUrl}/oauth/callback?code=${code}`)).status).toBe(200);
    expect(await tokenRows(approved)).toHaveLength(2);
    const bystander = await h.addLocation();

    const response = await uninstall({ companyId, webhookId: crypto.randomUUID() });
    expect(response.status).toBe(200);
    expect([...(response.body as { uninstalled: string[] }).uninstalled].sort()).toEqual([...approved].sort());
    expect(await tokenRows(approved)).toEqual([]);
    for (const locationId of approved) expect((await deliver(locationId)).status).toBe(404);
    expect(await tokenRows([bystander.id])).toHaveLength(1);
    expect((await deliver(bystander.id)).status).toBe(200);
  });

  it('INSTALL records the install time and creates the location when it is new', async () => {
    const locationId = newId('LOCwebhook');
    const event = {
      type: 'INSTALL',
      appId: '665c6bb13d4e5364bdec0e2f',
      versionId: '665c6bb13d4e5364bdec0e2f',
      installType: 'Location',
      locationId,
      companyId: 'GNb7aIv4rQFVb9iwNl5K',
      userId: 'Rg6BRRiHh7dS9gJy3W8a',
      companyName: 'Marketplace and Integrations Prod Agency',
      timestamp: new Date().toISOString(),
      webhookId: crypto.randomUUID(),
    };
    const response = await h.caller.send(appWebhookUrl, event);
    expect(response).toMatchObject({ status: 200, body: { received: true, installed: [locationId] } });
    expect(await describeLocation(locationId)).toMatchObject({
      id: locationId,
      companyId: 'GNb7aIv4rQFVb9iwNl5K',
      whatsapp: { backend: 'cloud', phoneNumberId: null },
      highLevel: { installedAt: event.timestamp, uninstalledAt: null },
    });
    // Tokens arrive with the OAuth callback; the redelivered INSTALL changes nothing.
    expect(await h.caller.send(appWebhookUrl, event)).toMatchObject({ status: 200, body: { duplicate: true } });
  });

  it('an INSTALL older than the last UNINSTALL does not bring the location back', async () => {
    const location = await h.addLocation();
    const installedBefore = new Date(Date.now() - 60_000).toISOString();
    expect((await uninstall({ locationId: location.id })).status).toBe(200);
    const late = await h.caller.send(appWebhookUrl, { type: 'INSTALL', locationId: location.id, timestamp: installedBefore, webhookId: crypto.randomUUID() });
    expect(late).toMatchObject({ status: 200, body: { ignored: expect.stringMatching(/older than the last UNINSTALL/) } });
    expect((await deliver(location.id)).status).toBe(404);
  });

  it('answers 200 and changes nothing for event types it does not handle', async () => {
    const location = await h.addLocation();
    const response = await h.caller.send(appWebhookUrl, { type: 'ContactCreate', locationId: location.id, id: 'abc' });
    expect(response).toMatchObject({ status: 200, body: { received: true, ignored: 'type "ContactCreate" is not handled by this app' } });
    expect(await tokenRows([location.id])).toHaveLength(1);
  });

  it('answers 400 to a signed body that is not JSON or names no location or company', async () => {
    const raw = '{"type":"UNINSTALL",';
    const notJson = await fetch(appWebhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ghl-signature': h.caller.sign(raw) }, body: raw });
    expect(notJson.status).toBe(400);
    expect(await uninstall({})).toMatchObject({ status: 400, body: { error: 'UNINSTALL names neither locationId nor companyId' } });
  });
});
