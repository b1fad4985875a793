import crypto from 'node:crypto';
import { HighLevelClient } from '../../../src/providers/highlevel/highLevelClient';
import { HighLevelTokenStore } from '../../../src/providers/highlevel/tokenStore';
import { SecretBox } from '../../../src/security/secretBox';
import { HighLevelSimulator } from '@ghl-whatsapp/simulators';
import { upsertLocation } from '../../../src/store/locations';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';

let database: TestDatabase;
let simulator: HighLevelSimulator;
const box = new SecretBox(crypto.randomBytes(32).toString('base64'));
beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await HighLevelSimulator.start({ rateLimit: false });
});
afterAll(async () => {
  await simulator?.stop();
  await database?.drop();
});

describe('HighLevelTokenStore', () => {
  it('keeps tokens encrypted at rest and, after a 401, uses a token stored elsewhere instead of refreshing', async () => {
    const locationId = 'loc-token-cache';
    await upsertLocation(database.db, { id: locationId, whatsapp_backend: 'cloud' });
    const contact = simulator.seedContact({ locationId, phone: '+15864600001' });
    // No OAuth client: a refresh attempt would fail, so success below proves no refresh happened.
    const workerStore = new HighLevelTokenStore(database.db, box, { baseUrl: simulator.baseUrl });
    const first = simulator.issueLocationToken(locationId);
    await workerStore.store(locationId, { access_token: first.access_token, refresh_token: first.refresh_token, expires_in: first.expires_in });
    const client = new HighLevelClient(simulator.baseUrl, (id, options) => workerStore.accessToken(id, options));
    expect(await client.getContact(locationId, contact.id)).toMatchObject({ id: contact.id });

    const row = await database.db.selectFrom('highlevel_tokens').selectAll().where('location_id', '=', locationId).executeTakeFirstOrThrow();
    expect(row.access_token_enc).not.toContain(first.access_token);

    // The operator reinstalls through another instance; the first token stops working.
    const second = simulator.issueLocationToken(locationId);
    await new HighLevelTokenStore(database.db, box, { baseUrl: simulator.baseUrl }).store(locationId, {
      access_token: second.access_token,
      refresh_token: second.refresh_token,
      expires_in: second.expires_in,
    });
    simulator.expireAccessToken(first.access_token);
    expect(await client.getContact(locationId, contact.id)).toMatchObject({ id: contact.id });
    const bearers = simulator.requests.filter((request) => request.path === `/contacts/${contact.id}`).map((request) => request.headers.authorization);
    expect(bearers).toEqual([`Bearer ${first.access_token}`, `Bearer ${first.access_token}`, `Bearer ${second.access_token}`]);
  });
});
