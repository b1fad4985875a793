import { HighLevelOAuthClient, OAuthRefusedError, VERSION_OAUTH } from '../../../src/providers/highlevel/oauthClient';
import { HighLevelSimulator } from '@ghl-whatsapp/simulators';

/** The install flow's two HighLevel calls, against the simulator: the exact requests and how refusals read. */

let sim: HighLevelSimulator;
let client: HighLevelOAuthClient;
beforeAll(async () => {
  sim = await HighLevelSimulator.start({ rateLimit: false });
  client = new HighLevelOAuthClient({ baseUrl: sim.baseUrl, clientId: 'sim-client-id', clientSecret: 'sim-client-secret' });
});
afterAll(async () => {
  await sim?.stop();
});

const lastRequest = (path: string) => sim.requests.filter((request) => request.path === path).at(-1);

describe('HighLevelOAuthClient', () => {
  it('exchanges a code with the documented form and no user_type: the install decides the token class', async () => {
    const code = sim.createAuthorizationCode('LOCoauth000000000001', 'COMPoauth00000000001');
    const grant = await client.exchangeCode(code);

    expect(grant).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 86399,
      userType: 'Location',
      locationId: 'LOCoauth000000000001',
      companyId: 'COMPoauth00000000001',
    });
    const request = lastRequest('/oauth/token');
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request?.rawBody))).toEqual({
      client_id: 'sim-client-id',
      client_secret: 'sim-client-secret',
      grant_type: 'authorization_code',
      code,
    });
  });

  it("reads an agency install's Company token with its approved locations (asking for Location would be refused)", async () => {
    const code = sim.createAgencyAuthorizationCode('COMPagency0000000001', ['LOCa0000000000000001', 'LOCb0000000000000001']);
    expect(await client.exchangeCode(code)).toMatchObject({
      userType: 'Company',
      companyId: 'COMPagency0000000001',
      approvedLocations: ['LOCa0000000000000001', 'LOCb0000000000000001'],
    });
  });

  it('mints a location token with the Version header, the Bearer company token and a companyId+locationId form', async () => {
    const company = sim.issueCompanyToken('COMPmint000000000001', ['LOCmint0000000000001']);
    const grant = await client.mintLocationToken(company.access_token, 'COMPmint000000000001', 'LOCmint0000000000001');

    expect(grant).toMatchObject({ access_token: expect.any(String), expires_in: 86400, userType: 'Location', locationId: 'LOCmint0000000000001' });
    const request = lastRequest('/oauth/locationToken');
    expect(request?.method).toBe('POST');
    expect(request?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${company.access_token}`,
      version: VERSION_OAUTH,
    });
    expect(VERSION_OAUTH).toBe('2021-07-28');
    expect(Object.fromEntries(new URLSearchParams(request?.rawBody))).toEqual({ companyId: 'COMPmint000000000001', locationId: 'LOCmint0000000000001' });
  });

  it("gives HighLevel's reason when it refuses a used code", async () => {
    const code = sim.createAuthorizationCode('LOCused0000000000001');
    await client.exchangeCode(code);
    const refused = await client.exchangeCode(code).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthRefusedError);
    expect(refused).toMatchObject({ status: 400, reason: 'Invalid grant: authorization code is invalid, expired, or has already been used' });
  });

  it('gives the reason when the client secret is wrong, and when a location token is used to mint', async () => {
    const wrongSecret = new HighLevelOAuthClient({ baseUrl: sim.baseUrl, clientId: 'sim-client-id', clientSecret: 'not-the-secret' });
    await expect(wrongSecret.exchangeCode(sim.createAuthorizationCode('LOCsecret00000000001'))).rejects.toMatchObject({
      status: 401,
      reason: expect.stringContaining('Client authentication failed'),
    });

    const locationToken = sim.issueLocationToken('LOCnotagency00000001', 'COMPx000000000000001');
    await expect(client.mintLocationToken(locationToken.access_token, 'COMPx000000000000001', 'LOCother000000000001')).rejects.toMatchObject({
      status: 401,
      reason: expect.stringContaining('authClass'),
    });
  });
});
