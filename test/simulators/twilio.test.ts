import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseForm, verifyTwilioSignature } from '../../src/providers/twilio/signature';
import { TwilioSimulator, type TwilioAccount } from '../../src/simulators/twilio';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + '1'.repeat(32), authToken: 'primary_auth_token' };
const OTHER_ACCOUNT: TwilioAccount = { accountSid: 'AC' + '2'.repeat(32), authToken: 'other_auth_token' };
const BUSINESS = '+14155238886';
const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** What the product's webhook endpoint saw. */
interface ReceivedWebhook {
  path: string;
  params: Record<string, string | string[]>;
  signatureValid: boolean;
  downloadedMedia?: { status: number; contentType: string | null; bytes: Buffer };
}

/** A tiny stand-in for the product: verifies X-Twilio-Signature over the exact URL and answers like a real handler. */
async function startReceiver(authTokens: string[]) {
  const received: ReceivedWebhook[] = [];
  let baseUrl = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const url = `${baseUrl}${request.url ?? '/'}`;
      const params = parseForm(Buffer.concat(chunks).toString('utf8'));
      const header = request.headers['x-twilio-signature'];
      const signatureValid = authTokens.some((token) => verifyTwilioSignature(token, typeof header === 'string' ? header : undefined, url, params));
      const entry: ReceivedWebhook = { path: request.url ?? '/', params, signatureValid };
      received.push(entry);
      if (!signatureValid) {
        response.writeHead(403, { 'content-type': 'text/plain' }).end('invalid signature');
        return;
      }
      const mediaUrl = params.MediaUrl0;
      if (typeof mediaUrl === 'string') {
        const media = await fetch(mediaUrl, { headers: { authorization: basicAuth(ACCOUNT) } });
        entry.downloadedMedia = { status: media.status, contentType: media.headers.get('content-type'), bytes: Buffer.from(await media.arrayBuffer()) };
      }
      if (request.url?.startsWith('/twilio/inbound')) response.writeHead(200, { 'content-type': 'text/xml' }).end(EMPTY_TWIML);
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    url: (path: string) => `${baseUrl}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function basicAuth(account: TwilioAccount): string {
  return `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('TwilioSimulator', () => {
  let sim: TwilioSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    sim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 20 });
    sim.registerAccount(OTHER_ACCOUNT);
    receiver = await startReceiver([ACCOUNT.authToken, OTHER_ACCOUNT.authToken]);
  });

  afterAll(async () => {
    await sim.stop();
    await receiver.close();
  });

  async function createMessage(form: Record<string, string | string[]>, account: TwilioAccount = ACCOUNT) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
    const response = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${account.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basicAuth(account), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const callbacksFor = (sid: string) => receiver.received.filter((webhook) => webhook.params.MessageSid === sid);

  describe('Messages create', () => {
    it('creates an SMS with the 2010-04-01 resource shape', async () => {
      const { status, json } = await createMessage({ To: '+16505551234', From: '+15017122661', Body: 'Fallback SMS' });
      expect(status).toBe(201);
      expect(json).toMatchObject({
        account_sid: ACCOUNT.accountSid,
        api_version: '2010-04-01',
        body: 'Fallback SMS',
        direction: 'outbound-api',
        error_code: null,
        from: '+15017122661',
        to: '+16505551234',
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        status: 'queued',
      });
      const sid = json.sid as string;
      expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(json.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
      expect(json.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${sid}.json`);
      expect(json.subresource_uris).toEqual({ media: `/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${sid}/Media.json` });
      expect(sim.messages.find((message) => message.sid === sid)).toMatchObject({ channel: 'sms', body: 'Fallback SMS', mediaUrls: [] });
      expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', rawBody: 'To=%2B16505551234&From=%2B15017122661&Body=Fallback+SMS' });
    });

    it('counts SMS segments (GSM-7 vs UCS-2)', async () => {
      const gsm = await createMessage({ To: '+16505551234', From: '+15017122661', Body: 'a'.repeat(161) });
      const unicode = await createMessage({ To: '+16505551234', From: '+15017122661', Body: 'é€😀'.repeat(30) });
      expect(gsm.json.num_segments).toBe('2');
      expect(unicode.json.num_segments).toBe('2');
    });

    it('creates a WhatsApp message keeping the whatsapp: addresses, and MM sids for media', async () => {
      const { status, json } = await createMessage({
        To: 'whatsapp:+16505551234',
        From: `whatsapp:${BUSINESS}`,
        Body: 'Hello',
        MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
      });
      expect(status).toBe(201);
      expect(json).toMatchObject({ to: 'whatsapp:+16505551234', from: `whatsapp:${BUSINESS}`, num_media: '2', status: 'queued' });
      expect(json.sid).toMatch(/^MM[0-9a-f]{32}$/);
      expect(sim.messages.at(-1)).toMatchObject({ channel: 'whatsapp', mediaUrls: ['https://example.com/a.png', 'https://example.com/b.png'] });
    });

    it("answers 'accepted' and from=null when only a MessagingServiceSid is given", async () => {
      const messagingServiceSid = 'MG' + 'a'.repeat(32);
      const { status, json } = await createMessage({ To: 'whatsapp:+16505551234', MessagingServiceSid: messagingServiceSid, Body: 'Hi' });
      expect(status).toBe(201);
      expect(json).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: messagingServiceSid });
    });

    it('rejects bad credentials and a path account that is not the authenticated one with 401/20003', async () => {
      const wrongToken = await createMessage({ To: '+16505551234', From: '+15017122661', Body: 'x' }, { ...ACCOUNT, authToken: 'nope' });
      expect(wrongToken.status).toBe(401);
      expect(wrongToken.json).toEqual({
        code: 20003,
        message: 'Authentication Error - invalid username',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
      const crossAccount = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${OTHER_ACCOUNT.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: basicAuth(ACCOUNT), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'To=%2B16505551234&From=%2B15017122661&Body=x',
      });
      expect(crossAccount.status).toBe(401);
      const missing = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, { method: 'POST', body: 'To=%2B1' });
      expect(((await missing.json()) as { code: number }).code).toBe(20003);
    });

    const valid = { To: '+16505551234', From: '+15017122661', Body: 'ok' };
    it.each([
      ['To missing', { From: valid.From, Body: 'x' }, 21604],
      ['From and MessagingServiceSid missing', { To: valid.To, Body: 'x' }, 21603],
      ['no Body, MediaUrl or ContentSid', { To: valid.To, From: valid.From }, 21602],
      ['To not E.164', { ...valid, To: '6505551234' }, 21211],
      ['WhatsApp To with SMS From', { ...valid, To: 'whatsapp:+16505551234' }, 21910],
      ['SMS To with WhatsApp From', { ...valid, From: `whatsapp:${BUSINESS}` }, 21910],
      ['Body over 1600 characters', { ...valid, Body: 'x'.repeat(1601) }, 21617],
      ['more than 10 MediaUrl', { ...valid, MediaUrl: Array.from({ length: 11 }, (_, index) => `https://example.com/${index}.png`) }, 21623],
      ['unknown ContentSid', { To: valid.To, From: valid.From, ContentSid: 'HX' + '0'.repeat(32) }, 21655],
    ])('rejects %s', async (_case, form, code) => {
      const { status, json } = await createMessage(form);
      expect(status).toBe(400);
      expect(json).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
      expect(typeof json.message).toBe('string');
    });

    it.each(['not json', '["a"]', '{"1":5}', 'null'])('rejects ContentVariables %s with 21656', async (variables) => {
      const contentSid = sim.addContent({ friendlyName: `vars_${variables.length}_${Date.now()}`, language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } } });
      const { status, json } = await createMessage({ To: valid.To, From: valid.From, ContentSid: contentSid, ContentVariables: variables });
      expect(status).toBe(400);
      expect(json.code).toBe(21656);
    });

    it('returns injected failures (429/20429) for the next creates, then succeeds', async () => {
      const before = sim.messages.length;
      sim.failNextCreates(2, { httpStatus: 429, code: 20429 });
      const first = await createMessage(valid);
      const second = await createMessage(valid);
      const third = await createMessage(valid);
      expect([first.status, second.status, third.status]).toEqual([429, 429, 201]);
      expect(first.json).toEqual({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
      expect(sim.messages.length).toBe(before + 1);

      sim.failNextCreates(1, { httpStatus: 400, code: 21610 });
      expect((await createMessage(valid)).json).toMatchObject({ code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    });

    it('applies latency to API requests but not to /_sim controls', async () => {
      sim.setLatency(150);
      try {
        const started = Date.now();
        await createMessage(valid);
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
        const controlStarted = Date.now();
        await fetch(`${sim.baseUrl}/_sim/messages`);
        expect(Date.now() - controlStarted).toBeLessThan(140);
      } finally {
        sim.setLatency(0);
      }
    });

    it('answers unknown routes with Twilio 20404', async () => {
      const response = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/a/Nope.json`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
    });
  });

  describe('status callbacks', () => {
    it('sends signed sent → delivered callbacks to the exact StatusCallback URL and updates the resource', async () => {
      const { json } = await createMessage({
        To: 'whatsapp:+16505551234',
        From: `whatsapp:${BUSINESS}`,
        Body: 'Hello',
        StatusCallback: receiver.url('/twilio/status?tenant=acme'),
      });
      const sid = json.sid as string;
      await waitFor(() => callbacksFor(sid).length === 2);
      const [sent, delivered] = callbacksFor(sid);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid && webhook.path === '/twilio/status?tenant=acme')).toBe(true);
      expect(sent?.params).toMatchObject({ MessageSid: sid, SmsSid: sid, MessageStatus: 'sent', SmsStatus: 'sent', ChannelPrefix: 'whatsapp' });
      expect(delivered?.params).toMatchObject({
        MessageStatus: 'delivered',
        EventType: 'DELIVERED',
        To: 'whatsapp:+16505551234',
        From: `whatsapp:${BUSINESS}`,
        ChannelToAddress: '+16505551234',
        AccountSid: ACCOUNT.accountSid,
        ApiVersion: '2010-04-01',
      });
      expect(delivered?.params.ErrorCode).toBeUndefined();
      await waitFor(() => sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).length === 2);
      expect(sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).map((delivery) => delivery.statusCode)).toEqual([204, 204]);

      const fetched = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${sid}.json`, { headers: { authorization: basicAuth(ACCOUNT) } });
      expect(await fetched.json()).toMatchObject({ sid, status: 'delivered', error_code: null, date_sent: expect.stringMatching(/\+0000$/) });
    });

    it('sends no callbacks without a StatusCallback but still progresses the status', async () => {
      const { json } = await createMessage({ To: '+16505551299', From: '+15017122661', Body: 'quiet' });
      await waitFor(() => sim.messages.find((message) => message.sid === json.sid)?.status === 'delivered');
      expect(sim.callbackDeliveries.some((delivery) => delivery.messageSid === json.sid)).toBe(false);
    });

    it('plays scripted steps: undelivered with 63016', async () => {
      sim.scriptCallbacks('+16505550001', [{ status: 'sent' }, { status: 'undelivered', errorCode: 63016 }]);
      const { json } = await createMessage({ To: 'whatsapp:+16505550001', From: `whatsapp:${BUSINESS}`, Body: 'late', StatusCallback: receiver.url('/twilio/status') });
      const sid = json.sid as string;
      await waitFor(() => callbacksFor(sid).length === 2);
      expect(callbacksFor(sid).map((webhook) => [webhook.params.MessageStatus, webhook.params.ErrorCode])).toEqual([
        ['sent', undefined],
        ['undelivered', '63016'],
      ]);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid)).toBe(true);
      expect(sim.messages.find((message) => message.sid === sid)).toMatchObject({ status: 'undelivered', errorCode: 63016 });

      // The script was consumed: the next message to the same number gets the automatic progression.
      const next = await createMessage({ To: 'whatsapp:+16505550001', From: `whatsapp:${BUSINESS}`, Body: 'again', StatusCallback: receiver.url('/twilio/status') });
      await waitFor(() => callbacksFor(next.json.sid as string).length === 2);
      expect(callbacksFor(next.json.sid as string).map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
    });

    it('withholds all callbacks for an empty script', async () => {
      sim.scriptCallbacks('whatsapp:+16505550002', []);
      const { json } = await createMessage({ To: 'whatsapp:+16505550002', From: `whatsapp:${BUSINESS}`, Body: 'void', StatusCallback: receiver.url('/twilio/status') });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(callbacksFor(json.sid as string)).toHaveLength(0);
      expect(sim.messages.find((message) => message.sid === json.sid)?.status).toBe('queued');
    });

    it('duplicates a callback when asked, with identical params and signature', async () => {
      sim.scriptCallbacks('+16505550003', [{ status: 'sent', delayMs: 5 }, { status: 'delivered', duplicate: true }]);
      const { json } = await createMessage({ To: '+16505550003', From: '+15017122661', Body: 'dup', StatusCallback: receiver.url('/twilio/status') });
      const sid = json.sid as string;
      await waitFor(() => sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).length === 3);
      const deliveries = sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid);
      expect(deliveries.map((delivery) => delivery.params.MessageStatus)).toEqual(['sent', 'delivered', 'delivered']);
      expect(deliveries[2]?.params).toEqual(deliveries[1]?.params);
      expect(deliveries[2]?.signature).toBe(deliveries[1]?.signature);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid && webhook.params.ChannelPrefix === undefined)).toBe(true);
    });

    it('emits a status callback on demand, signed with the owning account token', async () => {
      sim.scriptCallbacks('+16505550004', []);
      const { json } = await createMessage(
        { To: '+16505550004', From: '+15017122661', Body: 'manual', StatusCallback: receiver.url('/twilio/status') },
        OTHER_ACCOUNT,
      );
      const delivery = await sim.emitStatusCallback(json.sid as string, 'failed', { errorCode: 30007 });
      expect(delivery).toMatchObject({ statusCode: 204, params: { MessageStatus: 'failed', ErrorCode: '30007', AccountSid: OTHER_ACCOUNT.accountSid } });
      expect(verifyTwilioSignature(OTHER_ACCOUNT.authToken, delivery.signature, delivery.url, delivery.params)).toBe(true);
      expect(callbacksFor(json.sid as string).at(-1)?.signatureValid).toBe(true);
    });

    it('adds read for WhatsApp when autoRead is on', async () => {
      const readingSim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 5, autoRead: true });
      try {
        const response = await fetch(`${readingSim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
          method: 'POST',
          headers: { authorization: basicAuth(ACCOUNT), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ To: 'whatsapp:+16505550005', From: `whatsapp:${BUSINESS}`, Body: 'read me', StatusCallback: receiver.url('/twilio/status') }),
        });
        const sid = ((await response.json()) as { sid: string }).sid;
        await waitFor(() => callbacksFor(sid).length === 3);
        expect(callbacksFor(sid).map((webhook) => [webhook.params.MessageStatus, webhook.params.EventType])).toEqual([
          ['sent', undefined],
          ['delivered', 'DELIVERED'],
          ['read', 'READ'],
        ]);
      } finally {
        await readingSim.stop();
      }
    });
  });

  describe('inbound webhooks', () => {
    it('posts a signed WhatsApp message whose media the receiver downloads with Basic auth', async () => {
      const delivery = await sim.emitInbound(receiver.url('/twilio/inbound?location=loc1'), {
        from: '+16505551234',
        to: BUSINESS,
        body: 'see attached',
        profileName: 'Alice',
        media: [{ contentType: 'image/png', bytes: PNG_BYTES }],
      });
      expect(delivery).toMatchObject({ kind: 'inbound', statusCode: 200, responseContentType: 'text/xml', responseBody: EMPTY_TWIML });
      const webhook = receiver.received.find((entry) => entry.params.MessageSid === delivery.messageSid);
      expect(webhook?.signatureValid).toBe(true);
      expect(webhook?.params).toMatchObject({
        MessageSid: expect.stringMatching(/^MM[0-9a-f]{32}$/),
        SmsMessageSid: delivery.messageSid,
        SmsSid: delivery.messageSid,
        AccountSid: ACCOUNT.accountSid,
        From: 'whatsapp:+16505551234',
        To: `whatsapp:${BUSINESS}`,
        Body: 'see attached',
        NumMedia: '1',
        NumSegments: '1',
        ProfileName: 'Alice',
        WaId: '16505551234',
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
        MediaContentType0: 'image/png',
        MessageType: 'image',
      });
      expect(webhook?.downloadedMedia?.status).toBe(200);
      expect(webhook?.downloadedMedia?.contentType).toBe('image/png');
      expect(webhook?.downloadedMedia?.bytes.equals(PNG_BYTES)).toBe(true);

      const anonymous = await fetch(webhook?.params.MediaUrl0 as string);
      expect(anonymous.status).toBe(401);
    });

    it('posts quick-reply buttons and plain SMS without WhatsApp fields', async () => {
      const button = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: BUSINESS, body: 'Yes', buttonText: 'Yes', buttonPayload: 'confirm' });
      expect(button.params).toMatchObject({ ButtonText: 'Yes', ButtonPayload: 'confirm', MessageType: 'button', MessageSid: expect.stringMatching(/^SM/) });
      const sms = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: '+15017122661', channel: 'sms', body: 'STOP' });
      expect(sms.params).toMatchObject({ From: '+16505551234', To: '+15017122661', Body: 'STOP', NumMedia: '0' });
      expect(sms.params.WaId).toBeUndefined();
      expect([button.statusCode, sms.statusCode]).toEqual([200, 200]);
    });

    it('lets tests send a wrong signature and records the rejection', async () => {
      const delivery = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: BUSINESS, body: 'forged', signatureOverride: 'bm90IGEgc2lnbmF0dXJl' });
      expect(delivery).toMatchObject({ statusCode: 403, signature: 'bm90IGEgc2lnbmF0dXJl', responseBody: 'invalid signature' });
    });

    it('records a network failure instead of throwing', async () => {
      const delivery = await sim.emitInbound('http://127.0.0.1:1/unreachable', { from: '+16505551234', to: BUSINESS, body: 'lost' });
      expect(delivery.statusCode).toBe(0);
      expect(delivery.error).toBeDefined();
    });
  });

  describe('Content API and ContentSid sends', () => {
    let contentSims: TwilioSimulator;
    const contentAuth = { authorization: basicAuth(ACCOUNT) };

    beforeAll(async () => {
      contentSims = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 5 });
    });
    afterAll(() => contentSims.stop());

    it('pages /v1/Content with PageSize and PageToken', async () => {
      const sids = ['one', 'two', 'three'].map((name) =>
        contentSims.addContent({ friendlyName: name, language: 'en', variables: { '1': 'name' }, types: { 'twilio/text': { body: `${name} {{1}}` } } }),
      );
      const first = await fetch(`${contentSims.baseUrl}/v1/Content?PageSize=2`, { headers: contentAuth });
      expect(first.status).toBe(200);
      const firstPage = (await first.json()) as { contents: Array<Record<string, unknown>>; meta: Record<string, unknown> };
      expect(firstPage.contents.map((content) => content.sid)).toEqual(sids.slice(0, 2));
      expect(firstPage.contents[0]).toMatchObject({
        friendly_name: 'one',
        language: 'en',
        variables: { '1': 'name' },
        types: { 'twilio/text': { body: 'one {{1}}' } },
        url: `${contentSims.baseUrl}/v1/Content/${sids[0]}`,
        date_created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        date_updated: expect.any(String),
      });
      expect(firstPage.meta).toMatchObject({ page: 0, page_size: 2, key: 'contents', previous_page_url: null });
      expect(firstPage.meta.next_page_url).toEqual(expect.stringContaining('PageToken='));

      const second = await fetch(firstPage.meta.next_page_url as string, { headers: contentAuth });
      const secondPage = (await second.json()) as { contents: Array<Record<string, unknown>>; meta: Record<string, unknown> };
      expect(secondPage.contents.map((content) => content.sid)).toEqual(sids.slice(2));
      expect(secondPage.meta).toMatchObject({ page: 1, next_page_url: null, previous_page_url: expect.stringContaining('Page=0') });

      const unauthorized = await fetch(`${contentSims.baseUrl}/v1/Content`);
      expect(unauthorized.status).toBe(401);
    });

    it('reports WhatsApp approvals in /v1/ContentAndApprovals and follows setContentApproval', async () => {
      const sid = contentSims.addContent({
        friendlyName: 'order_update',
        language: 'en',
        types: { 'twilio/text': { body: 'Order {{1}} shipped' } },
        approval: { status: 'pending', category: 'UTILITY' },
      });
      const approvalOf = async () => {
        const response = await fetch(`${contentSims.baseUrl}/v1/ContentAndApprovals?PageSize=50`, { headers: contentAuth });
        const page = (await response.json()) as { contents: Array<{ sid: string; approval_requests: { whatsapp: Record<string, unknown> } }> };
        return page.contents.find((content) => content.sid === sid)?.approval_requests.whatsapp;
      };
      expect(await approvalOf()).toMatchObject({ status: 'pending', category: 'UTILITY', name: 'order_update', content_type: 'twilio/text' });
      contentSims.setContentApproval(sid, 'approved');
      expect(await approvalOf()).toMatchObject({ status: 'approved' });
    });

    it('renders a ContentSid send with ContentVariables and delivers it', async () => {
      const sid = contentSims.addContent({
        friendlyName: 'greeting',
        language: 'en',
        variables: { '1': 'there', '2': 'today' },
        types: { 'twilio/text': { body: 'Hi {{1}}, see you {{2}}' } },
        approval: { status: 'approved', category: 'UTILITY' },
      });
      const response = await fetch(`${contentSims.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { ...contentAuth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: 'whatsapp:+16505557777',
          MessagingServiceSid: 'MG' + 'b'.repeat(32),
          ContentSid: sid,
          ContentVariables: JSON.stringify({ '1': 'Alice' }),
          StatusCallback: receiver.url('/twilio/status'),
        }),
      });
      const created = (await response.json()) as { sid: string; body: string; status: string };
      expect(response.status).toBe(201);
      expect(created).toMatchObject({ body: 'Hi Alice, see you today', status: 'accepted' });
      expect(contentSims.messages.at(-1)).toMatchObject({ contentSid: sid, contentVariables: { '1': 'Alice' } });
      await waitFor(() => callbacksFor(created.sid).length === 2);
      expect(callbacksFor(created.sid).map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
      expect(callbacksFor(created.sid)[1]?.params.MessagingServiceSid).toBe('MG' + 'b'.repeat(32));
    });

    it.each([
      ['rejected', 'failed', '63040'],
      ['pending', 'undelivered', '63016'],
    ] as const)('fails a WhatsApp send of a %s template asynchronously', async (approval, status, errorCode) => {
      const sid = contentSims.addContent({ friendlyName: `t_${approval}`, language: 'en', types: { 'twilio/text': { body: 'x' } }, approval: { status: approval } });
      const response = await fetch(`${contentSims.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { ...contentAuth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: 'whatsapp:+16505558888', From: `whatsapp:${BUSINESS}`, ContentSid: sid, StatusCallback: receiver.url('/twilio/status') }),
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { sid: string };
      await waitFor(() => callbacksFor(created.sid).length === 1);
      expect(callbacksFor(created.sid)[0]?.params).toMatchObject({ MessageStatus: status, ErrorCode: errorCode });
    });
  });

  describe('/_sim control routes', () => {
    it('injects faults, emits inbound and callbacks, and lists messages', async () => {
      const faults = await fetch(`${sim.baseUrl}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failNextCreates: { count: 1, httpStatus: 500, code: 20500 } }),
      });
      expect(faults.status).toBe(200);
      expect((await createMessage({ To: '+16505550010', From: '+15017122661', Body: 'x' })).status).toBe(500);

      sim.scriptCallbacks('+16505550011', []);
      const { json } = await createMessage({ To: '+16505550011', From: '+15017122661', Body: 'x', StatusCallback: receiver.url('/twilio/status') });
      const callback = await fetch(`${sim.baseUrl}/_sim/callbacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageSid: json.sid, status: 'undelivered', errorCode: 30003 }),
      });
      expect(await callback.json()).toMatchObject({ statusCode: 204, params: { MessageStatus: 'undelivered', ErrorCode: '30003' } });

      const inbound = await fetch(`${sim.baseUrl}/_sim/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url('/twilio/inbound'), from: '+16505550012', to: BUSINESS, media: [{ contentType: 'image/png', base64: PNG_BYTES.toString('base64') }] }),
      });
      const inboundDelivery = (await inbound.json()) as { messageSid: string; statusCode: number };
      expect(inboundDelivery.statusCode).toBe(200);
      expect(receiver.received.find((entry) => entry.params.MessageSid === inboundDelivery.messageSid)?.downloadedMedia?.bytes.equals(PNG_BYTES)).toBe(true);

      const listed = (await (await fetch(`${sim.baseUrl}/_sim/messages`)).json()) as Array<{ sid: string; status: string; errorCode?: number }>;
      expect(listed.find((message) => message.sid === json.sid)).toMatchObject({ status: 'undelivered', errorCode: 30003 });

      const invalid = await fetch(`${sim.baseUrl}/_sim/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(invalid.status).toBe(400);
    });
  });
});
