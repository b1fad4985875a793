import { ACCOUNT, BUSINESS, OTHER_ACCOUNT, basicAuth, createMessage, sim, useTwilioSimulator } from './support';

/** Twilio simulator contract tests: the 2010-04-01 Messages create API (shapes, validation, auth, faults). */

describe('TwilioSimulator', () => {
  useTwilioSimulator();

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

    it('prices a message once final: null before, then a negative decimal string per segment in USD', async () => {
      const { json } = await createMessage({ To: '+16505551234', From: '+15017122661', Body: 'a'.repeat(161) });
      expect(json).toMatchObject({ price: null, price_unit: 'USD', num_segments: '2' });
      await sim.callbacksSettled();
      const fetched = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${json.sid as string}.json`, { headers: { authorization: basicAuth(ACCOUNT) } });
      expect(await fetched.json()).toMatchObject({ status: 'delivered', price: '-0.01580', price_unit: 'USD', num_segments: '2' });
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
        expect((await fetch(`${sim.baseUrl}/_sim/messages`)).status).toBe(200);
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
});
