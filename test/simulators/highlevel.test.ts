import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyHighLevelSignature } from '../../src/providers/highlevel/signature';
import { HighLevelDeliveryCaller, HighLevelSimulator } from '../../src/simulators/highlevel';
import { sleep } from '../../src/simulators/support';

const CONVERSATIONS = '2021-04-15';
const CONTACTS = '2021-07-28';
const LOCATION = 'LOC1aaaaaaaaaaaaaaaa';
const OTHER_LOCATION = 'LOC2bbbbbbbbbbbbbbbb';
const DOWNSTREAM_DELAY_MS = 400;

interface ApiResponse {
  status: number;
  body: any; // contract assertions read arbitrary JSON shapes
  headers: Headers;
}

interface CallOptions {
  token?: string;
  version?: string;
  json?: unknown;
  form?: Record<string, string>;
}

async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.version) headers.Version = options.version;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

describe('HighLevel simulator', () => {
  let sim: HighLevelSimulator;
  let token: string;
  let otherToken: string;
  const api = (method: string, path: string, options: CallOptions = {}) => call(sim.baseUrl, method, path, options);
  const contactsApi = (method: string, path: string, json?: unknown) => api(method, path, { token, version: CONTACTS, json });
  const conversationsApi = (method: string, path: string, json?: unknown) => api(method, path, { token, version: CONVERSATIONS, json });

  beforeAll(async () => {
    sim = await HighLevelSimulator.start({ statusDownstreamDelayMs: DOWNSTREAM_DELAY_MS, rateLimit: false });
    token = sim.issueLocationToken(LOCATION).access_token;
    otherToken = sim.issueLocationToken(OTHER_LOCATION).access_token;
  });
  afterAll(async () => {
    await sim.stop();
  });

  describe('auth and Version header', () => {
    it('answers 401 UnauthorizedDTO without a token and with an unknown token', async () => {
      const missing = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { version: CONTACTS });
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ statusCode: 401, message: 'Invalid JWT' });
      const unknown = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: 'not-a-token', version: CONTACTS });
      expect(unknown.status).toBe(401);
    });

    it('answers 401 once the access token has expired', async () => {
      const shortLived = sim.issueLocationToken(LOCATION).access_token;
      const before = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: shortLived, version: CONTACTS });
      expect(before.status).toBe(200);
      sim.expireAccessToken(shortLived);
      const after = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: shortLived, version: CONTACTS });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ statusCode: 401, message: 'Invalid JWT' });
    });

    it('answers 400 naming the Version header when it is missing or wrong', async () => {
      const missing = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/Version/);
      // Conversations want 2021-04-15, contacts 2021-07-28: swapping them fails.
      const swapped = await api('POST', '/conversations/messages/inbound', { token, version: CONTACTS, json: { type: 'SMS', contactId: 'x' } });
      expect(swapped.status).toBe(400);
      expect(swapped.body.message).toMatch(/Version/);
    });

    it("answers 403 when a token touches another location's data", async () => {
      const contact = sim.seedContact({ locationId: OTHER_LOCATION, phone: '+15550001111' });
      const read = await contactsApi('GET', `/contacts/${contact.id}`);
      expect(read.status).toBe(403);
      const search = await contactsApi('GET', `/contacts/search/duplicate?locationId=${OTHER_LOCATION}&number=%2B15550001111`);
      expect(search.status).toBe(403);
      const own = await api('GET', `/contacts/${contact.id}`, { token: otherToken, version: CONTACTS });
      expect(own.status).toBe(200);
    });
  });

  describe('contacts (Version 2021-07-28)', () => {
    it('finds a duplicate by URL-encoded E.164 regardless of stored formatting, else null', async () => {
      const seeded = sim.seedContact({ locationId: LOCATION, firstName: 'Ada', lastName: 'Lovelace', phone: '+1 (586) 460-3685' });
      const found = await contactsApi('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=${encodeURIComponent('+15864603685')}`);
      expect(found.status).toBe(200);
      expect(found.body.contact).toMatchObject({ id: seeded.id, locationId: LOCATION, phone: '+15864603685', firstName: 'Ada', name: 'Ada Lovelace' });
      const none = await contactsApi('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=${encodeURIComponent('+15864600000')}`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ contact: null });
    });

    it('creates a contact (201), requires locationId and refuses duplicates', async () => {
      const created = await contactsApi('POST', '/contacts/', { locationId: LOCATION, firstName: 'Grace', phone: '+1 555 010 2020', tags: ['a', 'a'] });
      expect(created.status).toBe(201);
      expect(created.body.contact).toMatchObject({ locationId: LOCATION, firstName: 'Grace', phone: '+15550102020', tags: ['a'] });
      expect(sim.contacts.get(created.body.contact.id)?.phone).toBe('+15550102020');

      const missing = await contactsApi('POST', '/contacts/', { firstName: 'NoLocation' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/locationId/);

      const duplicate = await contactsApi('POST', '/contacts/', { locationId: LOCATION, phone: '+15550102020' });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.meta).toMatchObject({ contactId: created.body.contact.id, matchingField: 'phone' });
    });

    it('upserts: new contact first, then the existing one matched by phone', async () => {
      const first = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, phone: '+447700900123', firstName: 'Alan' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ new: true, contact: { phone: '+447700900123', firstName: 'Alan' } });
      expect(typeof first.body.traceId).toBe('string');
      const second = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, phone: '+44 7700 900123', lastName: 'Turing' });
      expect(second.body).toMatchObject({ new: false, contact: { id: first.body.contact.id, firstName: 'Alan', lastName: 'Turing' } });
      const byEmail = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, email: 'alan@example.com', phone: '+447700900123' });
      expect(byEmail.body.new).toBe(false);
      const fresh = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, email: 'someone@example.com' });
      expect(fresh.body.new).toBe(true);
    });

    it('updates with PUT: dndSettings merge per channel, tags overwrite, answers { succeded, contact }', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550203030', tags: ['old', 'keep'], dndSettings: { SMS: { status: 'active', message: 'STOP', code: '101' } } });
      const updated = await contactsApi('PUT', `/contacts/${contact.id}`, { dndSettings: { WhatsApp: { status: 'active', message: 'STOP received' } }, tags: ['new'] });
      expect(updated.status).toBe(200);
      expect(updated.body.succeded).toBe(true);
      expect(updated.body.contact.dndSettings).toEqual({
        SMS: { status: 'active', message: 'STOP', code: '101' },
        WhatsApp: { status: 'active', message: 'STOP received' },
      });
      expect(updated.body.contact.tags).toEqual(['new']);

      const reread = await contactsApi('GET', `/contacts/${contact.id}`);
      expect(reread.body.contact.dndSettings.WhatsApp.status).toBe('active');

      const badStatus = await contactsApi('PUT', `/contacts/${contact.id}`, { dndSettings: { SMS: { status: 'on' } } });
      expect(badStatus.status).toBe(400);
      // UpdateContactDto has no locationId: HighLevel's whitelist rejects it.
      const extraProperty = await contactsApi('PUT', `/contacts/${contact.id}`, { locationId: LOCATION, firstName: 'X' });
      expect(extraProperty.status).toBe(422);
      expect(extraProperty.body.message).toEqual(['property locationId should not exist']);
    });

    it('adds tags (201, deduped) and removes them; unknown contacts are 404', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, tags: ['lead'] });
      const added = await contactsApi('POST', `/contacts/${contact.id}/tags`, { tags: ['whatsapp-optin', 'lead', 'whatsapp-optin'] });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ tags: ['lead', 'whatsapp-optin'] });
      const removed = await contactsApi('DELETE', `/contacts/${contact.id}/tags`, { tags: ['lead'] });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ tags: ['whatsapp-optin'] });
      expect(sim.contacts.get(contact.id)?.tags).toEqual(['whatsapp-optin']);
      const unknown = await contactsApi('GET', '/contacts/doesNotExist0000000');
      expect(unknown.status).toBe(404);
    });
  });

  describe('conversations (Version 2021-04-15)', () => {
    it('adds an inbound message and keeps one conversation per contact', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550304040' });
      const body = { type: 'SMS', contactId: contact.id, message: 'Hi there', altId: 'wamid.ABC', direction: 'inbound', date: '2026-01-01T10:00:00.000Z' };
      const first = await conversationsApi('POST', '/conversations/messages/inbound', body);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        success: true,
        conversationId: expect.any(String),
        messageId: expect.any(String),
        message: 'Message queued successfully.',
        contactId: contact.id,
        dateAdded: expect.any(String),
      });
      const second = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', conversationId: first.body.conversationId, message: 'again' });
      expect(second.status).toBe(200);
      expect(second.body.conversationId).toBe(first.body.conversationId);
      expect(second.body.messageId).not.toBe(first.body.messageId);

      const recorded = sim.inboundMessages.find((message) => message.messageId === first.body.messageId);
      expect(recorded).toMatchObject({ ...body, conversationId: first.body.conversationId, locationId: LOCATION });
    });

    it('rejects unknown contacts, missing contactId/conversationId, bad types and other locations', async () => {
      const unknown = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: 'noSuchContact000000', message: 'x' });
      expect(unknown.status).toBe(400);
      const neither = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', message: 'x' });
      expect(neither.status).toBe(400);
      expect(neither.body.message).toMatch(/conversationId or contactId/);
      const contact = sim.seedContact({ locationId: LOCATION });
      const badType = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'Telegram', contactId: contact.id });
      expect(badType.status).toBe(400);
      const foreign = sim.seedContact({ locationId: OTHER_LOCATION });
      const crossLocation = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: foreign.id });
      expect(crossLocation.status).toBe(403);
    });

    it('refuses status updates with 403 until the message is downstreamed, then records them', async () => {
      const messageId = 'outboundMsg000000001';
      sim.registerOutboundMessage(LOCATION, messageId);
      const early = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'delivered' });
      expect(early.status).toBe(403);
      expect(early.body).toMatchObject({ statusCode: 403, message: 'status changes are not allowed until the message is downstreamed to the conversation provider' });
      expect(sim.statusUpdates.some((update) => update.messageId === messageId)).toBe(false);

      await sleep(DOWNSTREAM_DELAY_MS + 50);
      const accepted = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'read' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ conversationId: expect.any(String), messageId, msg: 'Message queued successfully.', status: 'read' });
      // HighLevel does not enforce ordering: a late `delivered` after `read` is accepted too.
      const late = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'delivered' });
      expect(late.status).toBe(200);
      expect(sim.finalStatus(messageId)).toBe('delivered');
    });

    it('validates the status body and answers 404 for unknown messages', async () => {
      const messageId = 'outboundMsg000000002';
      sim.registerOutboundMessage(LOCATION, messageId);
      await sleep(DOWNSTREAM_DELAY_MS + 50);
      const unknown = await conversationsApi('PUT', '/conversations/messages/unknownMessage0000/status', { status: 'delivered' });
      expect(unknown.status).toBe(404);
      const sent = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'sent' });
      expect(sent.status).toBe(400);
      const partialError = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'failed', error: { code: '1', message: 'no type' } });
      expect(partialError.status).toBe(400);
      const failed = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, {
        status: 'failed',
        error: { code: '131026', type: 'saas', message: 'Message undeliverable' },
      });
      expect(failed.status).toBe(200);
      expect(sim.statusUpdates.at(-1)).toMatchObject({ messageId, status: 'failed', error: { code: '131026', type: 'saas', message: 'Message undeliverable' } });
      const otherLocation = await api('PUT', `/conversations/messages/${messageId}/status`, { token: otherToken, version: CONVERSATIONS, json: { status: 'read' } });
      expect(otherLocation.status).toBe(403);
    });
  });

  describe('attachment upload', () => {
    const upload = (form: FormData) =>
      fetch(`${sim.baseUrl}/conversations/messages/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Version: CONVERSATIONS }, body: form });

    it('stores files from fileAttachment and serves the exact bytes at the returned URL', async () => {
      const contact = sim.seedContact({ locationId: LOCATION });
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 256));
      const form = new FormData();
      form.append('locationId', LOCATION);
      form.append('contactId', contact.id);
      form.append('fileAttachment', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
      form.append('fileAttachment', new Blob([Buffer.from('voice')], { type: 'audio/ogg; codecs=opus' }), 'voice.ogg');
      const response = await upload(form);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { uploadedFiles: Record<string, string> };
      expect(Object.keys(body.uploadedFiles).sort()).toEqual(['photo.jpg', 'voice.ogg']);
      const url = body.uploadedFiles['photo.jpg'];
      expect(url).toMatch(new RegExp(`^${sim.baseUrl}/_files/`));

      const served = await fetch(url!);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
      expect(sim.uploads.find((file) => file.url === url)).toMatchObject({ url, filename: 'photo.jpg', contentType: 'image/jpeg', locationId: LOCATION });
    });

    it('answers 413 over 5 MB, 415 for disallowed types and 400 without locationId', async () => {
      const big = new FormData();
      big.append('locationId', LOCATION);
      big.append('contactId', 'anyContact');
      big.append('fileAttachment', new Blob([Buffer.alloc(5 * 1024 * 1024 + 1)], { type: 'application/pdf' }), 'big.pdf');
      const tooLarge = await upload(big);
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toMatchObject({ status: 413, message: expect.any(String) });

      const exe = new FormData();
      exe.append('locationId', LOCATION);
      exe.append('contactId', 'anyContact');
      exe.append('fileAttachment', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'tool.exe');
      const unsupported = await upload(exe);
      expect(unsupported.status).toBe(415);
      expect(await unsupported.json()).toMatchObject({ status: 415 });

      const noLocation = new FormData();
      noLocation.append('contactId', 'anyContact');
      noLocation.append('fileAttachment', new Blob([Buffer.from('hi')], { type: 'text/plain' }), 'note.txt');
      const missing = await upload(noLocation);
      expect(missing.status).toBe(400);

      const six = new FormData();
      six.append('locationId', LOCATION);
      six.append('contactId', 'anyContact');
      for (let index = 0; index < 6; index += 1) six.append('fileAttachment', new Blob([Buffer.from('x')], { type: 'text/plain' }), `n${index}.txt`);
      const tooMany = await upload(six);
      expect(tooMany.status).toBe(400);
      expect(sim.uploads.some((file) => file.filename === 'n0.txt')).toBe(false);
    });
  });

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

describe('HighLevelDeliveryCaller', () => {
  interface Received {
    rawBody: string;
    headers: http.IncomingHttpHeaders;
  }
  let server: http.Server;
  let deliveryUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ rawBody: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    deliveryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/highlevel/delivery`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("builds HighLevel's documented SMS example with a fresh messageId", () => {
    const first = HighLevelDeliveryCaller.examplePayload();
    const second = HighLevelDeliveryCaller.examplePayload({ message: 'hello', messageId: 'fixedId' });
    expect(first).toMatchObject({ contactId: 'GKBhT6BfwY9mjzXAU3sq', locationId: 'GKAWb4yu7A4LSc0skQ6g', type: 'SMS', phone: '+15864603685', userId: 'GK56r6wdJDrkUPd0xsmx' });
    expect(first.messageId).not.toBe(HighLevelDeliveryCaller.examplePayload().messageId);
    expect(second).toMatchObject({ message: 'hello', messageId: 'fixedId' });
  });

  it('signs the exact body with X-GHL-Signature; wrong, none and N/A do not verify', async () => {
    const caller = new HighLevelDeliveryCaller();
    const payload = HighLevelDeliveryCaller.examplePayload();

    const result = await caller.send(deliveryUrl, payload);
    expect(result).toEqual({ status: 200, body: { ok: true } });
    const valid = received.at(-1)!;
    expect(valid.rawBody).toBe(JSON.stringify(payload));
    expect(valid.headers['content-type']).toBe('application/json');
    const signature = valid.headers['x-ghl-signature'] as string;
    expect(verifyHighLevelSignature(Buffer.from(valid.rawBody), signature, caller.publicKeyPem)).toBe(true);
    expect(verifyHighLevelSignature(Buffer.from(valid.rawBody.replace('SMS', 'Sms')), signature, caller.publicKeyPem)).toBe(false);

    await caller.send(deliveryUrl, payload, { signature: 'wrong' });
    const wrong = received.at(-1)!;
    expect(wrong.headers['x-ghl-signature']).toEqual(expect.any(String));
    expect(verifyHighLevelSignature(Buffer.from(wrong.rawBody), wrong.headers['x-ghl-signature'] as string, caller.publicKeyPem)).toBe(false);

    await caller.send(deliveryUrl, payload, { signature: 'none' });
    expect(received.at(-1)!.headers['x-ghl-signature']).toBeUndefined();

    await caller.send(deliveryUrl, payload, { signature: 'N/A' });
    expect(received.at(-1)!.headers['x-ghl-signature']).toBe('N/A');
    expect(verifyHighLevelSignature(Buffer.from(received.at(-1)!.rawBody), 'N/A', caller.publicKeyPem)).toBe(false);
  });

  it('uses a given key pair and registers the message with the simulator before posting', async () => {
    const sim = await HighLevelSimulator.start({ rateLimit: false, statusDownstreamDelayMs: 60_000 });
    try {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const caller = new HighLevelDeliveryCaller({ privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), simulator: sim });
      expect(caller.publicKeyPem).toBe(publicKeyPem);
      const payload = HighLevelDeliveryCaller.examplePayload({ locationId: LOCATION });
      await caller.send(deliveryUrl, payload);
      const token = sim.issueLocationToken(LOCATION).access_token;
      const status = await call(sim.baseUrl, 'PUT', `/conversations/messages/${payload.messageId}/status`, { token, version: CONVERSATIONS, json: { status: 'delivered' } });
      expect(status.status).toBe(403);

      // The demo control route posts through the simulator's own caller.
      const viaControl = await call(sim.baseUrl, 'POST', '/_sim/outbound', { json: { deliveryUrl, overrides: { locationId: LOCATION, message: 'from control' } } });
      expect(viaControl.status).toBe(200);
      expect(viaControl.body.delivery).toEqual({ status: 200, body: { ok: true } });
      const posted = received.at(-1)!;
      expect(JSON.parse(posted.rawBody)).toMatchObject({ message: 'from control', messageId: viaControl.body.messageId });
      expect(verifyHighLevelSignature(Buffer.from(posted.rawBody), posted.headers['x-ghl-signature'] as string, sim.deliveryCaller.publicKeyPem)).toBe(true);
      const state = await call(sim.baseUrl, 'GET', '/_sim/state');
      expect(state.body).toMatchObject({ contacts: [], inboundMessages: [], statusUpdates: [], webhookPublicKeyPem: sim.deliveryCaller.publicKeyPem });
    } finally {
      await sim.stop();
    }
  });
});
