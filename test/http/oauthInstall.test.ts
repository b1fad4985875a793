import crypto from 'node:crypto';
import { buildApp } from '../../src/http/app';
import { SecretBox } from '../../src/security/secretBox';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { listenOnFreePort } from '../support/waitFor';

/** The marketplace install: HighLevel redirects the browser to /oauth/callback?code=… and we exchange the code. */

const OAUTH_CLIENT = { HIGHLEVEL_CLIENT_ID: 'sim-client-id', HIGHLEVEL_CLIENT_SECRET: 'sim-client-secret' };

let h: Harness;
let box: SecretBox;
beforeAll(async () => {
  h = await startHarness({ env: OAUTH_CLIENT });
  box = new SecretBox(h.config.ENCRYPTION_KEY as string);
});
afterAll(async () => {
  await h?.stop();
});

const newId = (prefix: string) => `${prefix}${crypto.randomBytes(6).toString('hex')}`;

async function openCallback(query: string, apiUrl = h.apiUrl) {
  const response = await fetch(`${apiUrl}/oauth/callback${query}`);
  return { status: response.status, contentType: response.headers.get('content-type'), html: await response.text() };
}

const storedToken = (locationId: string) => h.db.selectFrom('highlevel_tokens').selectAll().where('location_id', '=', locationId).executeTakeFirst();

describe('GET /oauth/callback: a sub-account installs the app', () => {
  it('stores the tokens encrypted, creates the location, and statuses for its messages go out with the new token', async () => {
    const locationId = newId('LOCinstall');
    const code = h.highLevel.createAuthorizationCode(locationId);

    const page = await openCallback(`?code=${code}`);
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.html).toContain(`WhatsApp provider installed for location ${locationId}`);
    expect(page.html).toContain(`/admin/locations/${locationId}`);
    expect(page.html).toContain('SMS Provider');

    const row = await storedToken(locationId);
    expect(row).toBeDefined();
    const accessToken = box.decrypt(row!.access_token_enc);
    expect(accessToken.split('.')).toHaveLength(3); // HighLevel-style JWT
    expect(row!.access_token_enc).not.toContain(accessToken);
    expect(row!.refresh_token_enc).toBeTruthy();
    expect(page.html).not.toContain(accessToken);
    expect(page.html).not.toContain(code);

    const described = await adminCall(h.apiUrl, 'GET', `/admin/locations/${locationId}`);
    expect(described.body).toMatchObject({
      id: locationId,
      whatsapp: { backend: 'cloud', phoneNumberId: null, hasAccessToken: false },
      highLevel: { installed: true, installedAt: expect.any(String), uninstalledAt: null },
    });

    // The operator then configures WhatsApp, and HighLevel sends an SMS through the provider.
    const suffix = crypto.randomBytes(4).toString('hex');
    const whatsApp = { phoneNumberId: `pn-${suffix}`, wabaId: `waba-${suffix}`, accessToken: `wa-${suffix}` };
    h.meta.registerAccount({ ...whatsApp, displayPhoneNumber: '15550002222' });
    expect((await adminCall(h.apiUrl, 'PUT', `/admin/locations/${locationId}`, { whatsapp: { backend: 'cloud', ...whatsApp } })).status).toBe(200);
    const phone = '+15864607001';
    await h.openWindow(locationId, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId, phone, attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(locationId, payload.messageId))).toMatchObject({ status: 'read' });

    const pushes = h.highLevel.requests.filter((request) => request.method === 'PUT' && request.path === `/conversations/messages/${payload.messageId}/status`);
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    for (const push of pushes) expect(push.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(h.highLevel.finalStatus(payload.messageId)).toBe('read');
  });

  it('installs an agency (Company token) on each approved location with its own location token', async () => {
    const companyId = newId('COMPagency');
    const approved = [newId('LOCagencyA'), newId('LOCagencyB')];
    const code = h.highLevel.createAgencyAuthorizationCode(companyId, approved);
    const mintsBefore = h.highLevel.requests.filter((request) => request.path === '/oauth/locationToken').length;

    const page = await openCallback(`?code=${code}`);
    expect(page.status).toBe(200);
    for (const locationId of approved) expect(page.html).toContain(locationId);

    const mints = h.highLevel.requests.filter((request) => request.path === '/oauth/locationToken').slice(mintsBefore);
    expect(mints.map((request) => new URLSearchParams(request.rawBody).get('locationId')).sort()).toEqual([...approved].sort());
    const tokens = await h.db.selectFrom('highlevel_tokens').selectAll().where('location_id', 'in', approved).execute();
    expect(tokens).toHaveLength(2);
    const plain = tokens.map((row) => box.decrypt(row.access_token_enc));
    expect(new Set(plain).size).toBe(2);
    // Each stored token is a Location token for its own sub-account, not the agency's token.
    for (const row of tokens) {
      const claims = JSON.parse(Buffer.from(box.decrypt(row.access_token_enc).split('.')[1]!, 'base64url').toString()) as { authClass: string; authClassId: string };
      expect(claims).toMatchObject({ authClass: 'Location', authClassId: row.location_id });
      expect(row.company_id).toBe(companyId);
    }
    const locations = await h.db.selectFrom('locations').select(['id', 'company_id', 'whatsapp_backend']).where('id', 'in', approved).execute();
    expect(locations).toHaveLength(2);
    for (const location of locations) expect(location).toMatchObject({ company_id: companyId, whatsapp_backend: 'cloud' });
    expect(await h.db.selectFrom('highlevel_tokens').select('location_id').where('location_id', '=', companyId).execute()).toEqual([]);
  });

  it('answers 502 with HighLevel\'s reason when it refuses the code, and stores nothing', async () => {
    const locationId = newId('LOCrefused');
    const code = h.highLevel.createAuthorizationCode(locationId);
    expect((await openCallback(`?code=${code}`)).status).toBe(200);
    await h.db.deleteFrom('highlevel_tokens').where('location_id', '=', locationId).execute();

    const reused = await openCallback(`?code=${code}`);
    expect(reused.status).toBe(502);
    expect(reused.html).toContain('Invalid grant: authorization code is invalid, expired, or has already been used');
    expect(await storedToken(locationId)).toBeUndefined();

    const unknown = await openCallback('?code=not-a-code-highlevel-issued');
    expect(unknown.status).toBe(502);
    expect(unknown.html).toContain('Invalid grant');
  });

  it('answers 400 without a code', async () => {
    const page = await openCallback('');
    expect(page.status).toBe(400);
    expect(page.html).toContain('no ?code=');
    expect((await openCallback('?code=')).status).toBe(400);
  });

  it('answers 503 naming HIGHLEVEL_CLIENT_ID when the OAuth client is not configured, without spending the code', async () => {
    const unconfigured = { ...h.config, HIGHLEVEL_CLIENT_ID: undefined, HIGHLEVEL_CLIENT_SECRET: undefined };
    const app = buildApp({ config: unconfigured, db: h.db, temporal: h.temporal, box });
    try {
      const locationId = newId('LOCnoclient');
      const code = h.highLevel.createAuthorizationCode(locationId);
      const page = await openCallback(`?code=${code}`, await listenOnFreePort(app));
      expect(page.status).toBe(503);
      expect(page.html).toContain('HIGHLEVEL_CLIENT_ID');
      expect(await storedToken(locationId)).toBeUndefined();
      // The code is still good once the server is configured.
      expect((await openCallback(`?code=${code}`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
