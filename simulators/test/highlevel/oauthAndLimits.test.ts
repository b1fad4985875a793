import { HighLevelSimulator, sleep } from '@ghl-whatsapp/simulators';
import { CONTACTS, LOCATION, OTHER_LOCATION, api, call, contactsApi, conversationsApi, sim, token, useHighLevelSimulator } from './support';

/** HighLevel simulator contract tests: OAuth token flows, injected faults and the rate limit. */

describe('HighLevel simulator', () => {
  useHighLevelSimulator();

  describe('OAuth', () => {
    const tokenForm = (fields: Record<string, string>) =>
      api('POST', '/oauth/token', { form: { client_id: 'sim-client-id', client_secret: 'sim-client-secret', ...fields } });

    it('exchanges an authorization code for the documented token response (single use)', async () => {
      const code = sim.createAuthorizationCode('LOC3cccccccccccccccc', 'COMPANY00000000000001');
      const exchanged = await tokenForm({ grant_type: 'authorization_code', code, user_type: 'Location' });
      expect(exchanged.status).toBe(200);
      expect(exchanged.body).toMatchObject({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 86399,
        refresh_token: expect.any(String),
        scope: expect.stringContaining('conversations/message.write'),
        userType: 'Location',
        companyId: 'COMPANY00000000000001',
        locationId: 'LOC3cccccccccccccccc',
        userId: expect.any(String),
      });
      const usable = await api('GET', '/contacts/search/duplicate?locationId=LOC3cccccccccccccccc&number=%2B15550000000', {
        token: exchanged.body.access_token,
        version: CONTACTS,
      });
      expect(usable.status).toBe(200);
      const reused = await tokenForm({ grant_type: 'authorization_code', code, user_type: 'Location' });
      expect(reused.status).toBe(400);
      expect(reused.body.error).toBe('invalid_grant');
    });

    it('issues the token class asked for: none asked gives the install\'s; an agency install refuses Location and keeps the code', async () => {
      const agencyCode = sim.createAgencyAuthorizationCode('COMPANY00000000000009', ['LOC9aaaaaaaaaaaaaaaa']);
      const wrongClass = await tokenForm({ grant_type: 'authorization_code', code: agencyCode, user_type: 'Location' });
      expect(wrongClass.status).toBe(400);
      expect(wrongClass.body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/user_type Location does not match/) });
      const asCompany = await tokenForm({ grant_type: 'authorization_code', code: agencyCode, user_type: 'Company' });
      expect(asCompany.status).toBe(200);
      expect(asCompany.body).toMatchObject({ userType: 'Company', companyId: 'COMPANY00000000000009', approvedLocations: ['LOC9aaaaaaaaaaaaaaaa'] });

      const locationCode = sim.createAuthorizationCode('LOC8aaaaaaaaaaaaaaaa', 'COMPANY00000000000008');
      const unasked = await tokenForm({ grant_type: 'authorization_code', code: locationCode });
      expect(unasked.body).toMatchObject({ userType: 'Location', locationId: 'LOC8aaaaaaaaaaaaaaaa' });
      const agencyUnasked = await tokenForm({ grant_type: 'authorization_code', code: sim.createAgencyAuthorizationCode('COMPANY00000000000007', []) });
      expect(agencyUnasked.body).toMatchObject({ userType: 'Company', companyId: 'COMPANY00000000000007' });

      const badValue = await tokenForm({ grant_type: 'authorization_code', code: sim.createAuthorizationCode('LOC7aaaaaaaaaaaaaaaa'), user_type: 'Agency' });
      expect(badValue.status).toBe(422);
      // A refresh asking for another class than the token's is refused without using the refresh token up.
      const refreshMismatch = await tokenForm({ grant_type: 'refresh_token', refresh_token: unasked.body.refresh_token, user_type: 'Company' });
      expect(refreshMismatch.status).toBe(400);
      expect((await tokenForm({ grant_type: 'refresh_token', refresh_token: unasked.body.refresh_token, user_type: 'Location' })).status).toBe(200);
    });

    it('rotates refresh tokens: each is single-use', async () => {
      const { refresh_token: original } = sim.issueLocationToken(LOCATION);
      const refreshed = await tokenForm({ grant_type: 'refresh_token', refresh_token: original, user_type: 'Location' });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).not.toBe(original);
      expect(refreshed.body.locationId).toBe(LOCATION);

      const reused = await tokenForm({ grant_type: 'refresh_token', refresh_token: original, user_type: 'Location' });
      expect([400, 401]).toContain(reused.status);
      expect(reused.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid grant: refresh token is invalid, expired, or has already been used' });

      const next = await tokenForm({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, user_type: 'Location' });
      expect(next.status).toBe(200);
    });

    it('rejects a wrong client secret with 401', async () => {
      const { refresh_token } = sim.issueLocationToken(LOCATION);
      const wrong = await api('POST', '/oauth/token', { form: { client_id: 'sim-client-id', client_secret: 'nope', grant_type: 'refresh_token', refresh_token } });
      expect(wrong.status).toBe(401);
      // The refresh token was not consumed by the failed attempt.
      expect((await tokenForm({ grant_type: 'refresh_token', refresh_token })).status).toBe(200);
    });

    it('mints a location token from a company token at /oauth/locationToken', async () => {
      const code = sim.createAuthorizationCode('LOC4dddddddddddddddd', 'COMPANY00000000000002');
      const company = await tokenForm({ grant_type: 'authorization_code', code, user_type: 'Company' });
      expect(company.body).toMatchObject({ userType: 'Company', companyId: 'COMPANY00000000000002' });
      expect(company.body.locationId).toBeUndefined();

      const form = { companyId: 'COMPANY00000000000002', locationId: 'LOC4dddddddddddddddd' };
      const noVersion = await api('POST', '/oauth/locationToken', { token: company.body.access_token, form });
      expect(noVersion.status).toBe(400);
      const minted = await api('POST', '/oauth/locationToken', { token: company.body.access_token, version: '2021-07-28', form });
      expect(minted.status).toBe(200);
      expect(minted.body).toMatchObject({ token_type: 'Bearer', userType: 'Location', locationId: 'LOC4dddddddddddddddd', companyId: 'COMPANY00000000000002', access_token: expect.any(String) });
      const usable = await api('GET', '/contacts/search/duplicate?locationId=LOC4dddddddddddddddd&number=%2B15550000000', { token: minted.body.access_token, version: CONTACTS });
      expect(usable.status).toBe(200);

      // A Location token cannot mint location tokens.
      const wrongClass = await api('POST', '/oauth/locationToken', { token, version: '2021-07-28', form });
      expect(wrongClass.status).toBe(401);
    });
  });

  describe('faults', () => {
    it('failNext answers the next N matching requests with the given status, then recovers', async () => {
      const contact = sim.seedContact({ locationId: LOCATION });
      sim.failNext(2, { status: 500, pathPrefix: '/contacts' });
      const unrelated = await conversationsApi('PUT', '/conversations/messages/nothing000000000000/status', { status: 'read' });
      expect(unrelated.status).toBe(404);
      const first = await contactsApi('GET', `/contacts/${contact.id}`);
      const second = await contactsApi('GET', `/contacts/${contact.id}`);
      const third = await contactsApi('GET', `/contacts/${contact.id}`);
      expect([first.status, second.status, third.status]).toEqual([500, 500, 200]);
      expect(first.body).toMatchObject({ statusCode: 500 });
      expect(sim.requests.filter((request) => request.path === `/contacts/${contact.id}`)).toHaveLength(3);
    });

    it('takes faults through the /_sim/faults control route', async () => {
      const contact = sim.seedContact({ locationId: LOCATION });
      const control = await api('POST', '/_sim/faults', { json: { failNext: { count: 1, status: 429, pathPrefix: '/conversations/messages/inbound' } } });
      expect(control.status).toBe(200);
      const limited = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: contact.id, message: 'x' });
      expect(limited.status).toBe(429);
      const retried = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: contact.id, message: 'x' });
      expect(retried.status).toBe(200);
    });

    it('setLatency delays API answers', async () => {
      sim.setLatency(150);
      const started = Date.now();
      await contactsApi('GET', '/contacts/noSuchContact000000');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      sim.setLatency(0);
    });
  });
});

describe('HighLevel simulator rate limit', () => {
  let sim: HighLevelSimulator;
  beforeAll(async () => {
    sim = await HighLevelSimulator.start({ rateLimit: { max: 3, intervalMs: 500, daily: 50 } });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('sends the X-RateLimit-* headers and 429s past the burst, per location, without Retry-After', async () => {
    const { access_token: token } = sim.issueLocationToken(LOCATION);
    const get = (accessToken: string, locationId: string) =>
      call(sim.baseUrl, 'GET', `/contacts/search/duplicate?locationId=${locationId}&number=%2B15550000000`, { token: accessToken, version: CONTACTS });

    const remaining: (string | null)[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await get(token, LOCATION);
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await get(token, LOCATION);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.headers.get('x-ratelimit-max')).toBe('3');
    expect(limited.headers.get('x-ratelimit-interval-milliseconds')).toBe('500');
    expect(limited.headers.get('x-ratelimit-limit-daily')).toBe('50');
    expect(limited.headers.get('x-ratelimit-daily-remaining')).toBe('47');

    const otherLocation = await get(sim.issueLocationToken(OTHER_LOCATION).access_token, OTHER_LOCATION);
    expect(otherLocation.status).toBe(200);

    await sleep(550);
    expect((await get(token, LOCATION)).status).toBe(200);
  });
});
