import { isSentMessage, messageListQuery, pickSentMessage, TwilioLookupError, type SentTwilioMessage, type TwilioMessageResource } from '../../../src/providers/twilio/messageLookup';
import { TwilioMessagingClient, type TwilioSenders } from '../../../src/providers/twilio/messagingClient';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';
import { LossyProxy } from '../../support/lossyProxy';
import { failureOf } from '../../support/waitFor';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + 'e'.repeat(32), authToken: 'lookup_test_token' };
const WHATSAPP_FROM = '+14155238886';
const SMS_FROM = '+15017122661';
const SERVICE = 'MG' + 'f'.repeat(32);
/** Nothing listens here: status callbacks fail quietly, which these specs do not need. */
const PUBLIC_BASE_URL = 'http://127.0.0.1:9/app';
const REFERENCE = 'deliver:loc-1:hl-77';
const BASIC_AUTH = `Basic ${Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64')}`;
const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`;

let sim: TwilioSimulator;
let proxy: LossyProxy;
beforeAll(async () => {
  sim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 10 });
  proxy = await LossyProxy.start(sim.baseUrl);
});
afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

function client(options: { senders?: TwilioSenders; viaProxy?: boolean; account?: TwilioAccount } = {}) {
  return new TwilioMessagingClient({
    apiBaseUrl: options.viaProxy ? proxy.baseUrl : sim.baseUrl,
    publicBaseUrl: PUBLIC_BASE_URL,
    credentials: options.account ?? ACCOUNT,
    senders: options.senders ?? { whatsAppFrom: WHATSAPP_FROM, smsFrom: SMS_FROM },
  });
}

let nextNumber = 0;
/** A contact no other spec in this file texts, so lists never mix. */
const freshContact = () => `+1650555${String(3000 + (nextNumber += 1)).padStart(4, '0')}`;
const text = (body: string) => ({ kind: 'text' as const, body, previewUrl: false });
const createDrop = { method: 'POST', path: MESSAGES_PATH };


describe('TwilioMessagingClient message lookup: the request', () => {
  it('reads the Messages list filtered by To and From, with HTTP Basic auth and no body', async () => {
    const attemptStartedAt = new Date();
    await client().findSentWhatsApp('+16505551234', text('hi'), { attemptStartedAt });

    const request = sim.requests.at(-1);
    expect(request).toMatchObject({ method: 'GET', path: MESSAGES_PATH, rawBody: '' });
    expect(request?.query).toEqual({ To: 'whatsapp:+16505551234', From: `whatsapp:${WHATSAPP_FROM}`, PageSize: '100' });
    expect(Object.keys(request?.query ?? {})).toEqual(['To', 'From', 'PageSize']); // the SDKs' order
    expect(request?.headers.authorization).toBe(BASIC_AUTH);
    expect(request?.headers.accept).toBe('application/json');
  });

  it('adds DateSent> as a GMT day (the key is `DateSent>`, on the wire DateSent%3E=YYYY-MM-DD) only when asked', async () => {
    const attemptStartedAt = new Date('2026-05-03T00:00:30Z');
    const query = messageListQuery(
      { to: 'whatsapp:+16505551234', from: `whatsapp:${WHATSAPP_FROM}`, content: { kind: 'body', body: 'x', mediaCount: 0 } },
      { attemptStartedAt, clockSkewMs: 60_000, dateSentFilter: true, pageSize: 20 },
    );
    // 60 s of skew before 00:00:30 is the previous day.
    expect(query.toString()).toBe('To=whatsapp%3A%2B16505551234&From=whatsapp%3A%2B14155238886&DateSent%3E=2026-05-02&PageSize=20');

    await client().findSentSms('+16505550000', 'x', [], { attemptStartedAt: new Date(), dateSentFilter: true });
    expect(Object.keys(sim.requests.at(-1)?.query ?? {})).toEqual(['To', 'From', 'DateSent>', 'PageSize']);
  });

  it('filters by To alone when a Messaging Service picks the sender', async () => {
    const to = freshContact();
    const serviceClient = client({ senders: { messagingServiceSid: SERVICE } });
    const attemptStartedAt = new Date();
    const { providerMessageId } = await serviceClient.send(to, text('via the service'), REFERENCE);

    const found = await serviceClient.findSentWhatsApp(to, text('via the service'), { attemptStartedAt });

    expect(sim.requests.at(-1)?.query).toEqual({ To: `whatsapp:${to}`, PageSize: '100' });
    expect(found?.sid).toBe(providerMessageId);
  });

  it('surfaces a refused list request as TwilioLookupError with Twilio’s code', async () => {
    const error = await failureOf(client({ account: { ...ACCOUNT, authToken: 'wrong' } }).findSentSms('+16505550000', 'x', [], { attemptStartedAt: new Date() }));
    expect(error).toBeInstanceOf(TwilioLookupError);
    expect(error).toMatchObject({ httpStatus: 401, code: 20003 });
  });
});

describe('TwilioMessagingClient message lookup: finding a send whose answer was lost', () => {
  it('finds the WhatsApp message Twilio created although the client only saw the connection close', async () => {
    const to = freshContact();
    const attemptStartedAt = new Date();
    proxy.dropResponses(createDrop);

    const lost = await failureOf(client({ viaProxy: true }).send(to, text('Your visit is at 3pm'), REFERENCE));

    expect(lost.code).toBe('UND_ERR_SOCKET');
    const created = sim.messages.filter((message) => message.to === `whatsapp:${to}`);
    expect(created).toHaveLength(1);
    const found = await client({ viaProxy: true }).findSentWhatsApp(to, text('Your visit is at 3pm'), { attemptStartedAt });
    expect(found).toMatchObject({ sid: created[0]?.sid, alsoMatched: [] });
    expect(found?.status).toMatch(/^(queued|sent|delivered)$/);
    expect(found?.dateCreated.getTime()).toBeGreaterThanOrEqual(Math.floor(attemptStartedAt.getTime() / 1000) * 1000);
  });

  it('finds a lost SMS with media by body and number of media, and nothing for other content', async () => {
    const to = freshContact();
    const attemptStartedAt = new Date();
    proxy.dropResponses(createDrop);
    await failureOf(client({ viaProxy: true }).sendSms(to, 'Reminder: 3pm', ['https://cdn.example.com/map.png'], REFERENCE));

    const found = await client().findSentSms(to, 'Reminder: 3pm', ['https://cdn.example.com/map.png'], { attemptStartedAt });
    expect(found?.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(await client().findSentSms(to, 'Reminder: 4pm', ['https://cdn.example.com/map.png'], { attemptStartedAt })).toBeUndefined();
    expect(await client().findSentSms(to, 'Reminder: 3pm', [], { attemptStartedAt })).toBeUndefined();
    // Same contact, the WhatsApp sender: another conversation.
    expect(await client().findSentWhatsApp(to, { kind: 'media', mediaType: 'image', link: 'https://cdn.example.com/map.png', caption: 'Reminder: 3pm' }, { attemptStartedAt })).toBeUndefined();
  });

  it('finds a WhatsApp media part by its caption, and a Content template by address and time alone', async () => {
    const to = freshContact();
    const attemptStartedAt = new Date();
    const media = { kind: 'media' as const, mediaType: 'image' as const, link: 'https://cdn.example.com/x.png', caption: 'Your receipt' };
    const mediaSid = (await client().send(to, media, REFERENCE)).providerMessageId;
    expect((await client().findSentWhatsApp(to, media, { attemptStartedAt }))?.sid).toBe(mediaSid);

    const otherContact = freshContact();
    const contentSid = sim.addContent({ friendlyName: 'visit', language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } }, approval: { status: 'approved' } });
    const template = { kind: 'template' as const, contentSid, variables: { '1': 'Ana' } };
    const templateSid = (await client().send(otherContact, template, REFERENCE)).providerMessageId;
    expect((await client().findSentWhatsApp(otherContact, template, { attemptStartedAt }))?.sid).toBe(templateSid);
  });

  it('follows next_page_uri when newer messages to the same contact push ours off the first page', async () => {
    const to = freshContact();
    const attemptStartedAt = new Date();
    const ours = (await client().send(to, text('the one we lost'), REFERENCE)).providerMessageId;
    for (const body of ['later 1', 'later 2', 'later 3']) await client().send(to, text(body), REFERENCE);

    const before = sim.requests.length;
    const found = await client().findSentWhatsApp(to, text('the one we lost'), { attemptStartedAt, pageSize: 2 });
    expect(found?.sid).toBe(ours);
    expect(sim.requests.slice(before).map((request) => request.query.PageToken)).toEqual([undefined, expect.stringMatching(/^PA/)]);

    expect(await client().findSentWhatsApp(to, text('the one we lost'), { attemptStartedAt, pageSize: 2, maxPages: 1 })).toBeUndefined();
  });

  it('returns the earliest match, reports look-alikes, and skips excluded sids', async () => {
    const to = freshContact();
    const attemptStartedAt = new Date();
    const first = (await client().send(to, text('same words'), REFERENCE)).providerMessageId;
    const second = (await client().send(to, text('same words'), REFERENCE)).providerMessageId;

    expect(await client().findSentWhatsApp(to, text('same words'), { attemptStartedAt })).toMatchObject({ sid: first, alsoMatched: [second] });
    expect(await client().findSentWhatsApp(to, text('same words'), { attemptStartedAt, excludeSids: [first] })).toMatchObject({ sid: second, alsoMatched: [] });
  });

  it('ignores messages created before the attempt started (minus the clock skew)', async () => {
    const to = freshContact();
    await client().send(to, text('an older message'), REFERENCE);
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await client().findSentWhatsApp(to, text('an older message'), { attemptStartedAt: later, clockSkewMs: 1000 })).toBeUndefined();
    expect(await client().findSentWhatsApp(to, text('an older message'), { attemptStartedAt: later, clockSkewMs: 10 * 60_000 })).toBeDefined();
  });
});

describe('isSentMessage / pickSentMessage (pure)', () => {
  const resource = (overrides: Partial<TwilioMessageResource> = {}): TwilioMessageResource => ({
    sid: 'SM' + '1'.repeat(32),
    status: 'sent',
    direction: 'outbound-api',
    to: 'whatsapp:+16505551234',
    from: 'whatsapp:+14155238886',
    messaging_service_sid: null,
    body: 'Hello',
    num_media: '0',
    date_created: 'Sun, 03 May 2026 10:00:05 +0000',
    date_sent: 'Sun, 03 May 2026 10:00:06 +0000',
    ...overrides,
  });
  const sent: SentTwilioMessage = { to: 'whatsapp:+16505551234', from: 'whatsapp:+14155238886', content: { kind: 'body', body: 'Hello', mediaCount: 0 } };
  const notBefore = Date.parse('2026-05-03T10:00:00Z');

  it('matches an API-created outbound message with the same addresses, body and media count, created in the window', () => {
    expect(isSentMessage(resource(), sent, notBefore)).toBe(true);
    expect(isSentMessage(resource({ body: 'Hello\r\n' }), sent, notBefore)).toBe(true);
    expect(isSentMessage(resource({ direction: 'inbound' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ direction: 'outbound-reply' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ from: 'whatsapp:+14155230000' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ to: '+16505551234' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ body: 'Hello!' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ num_media: '1' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ date_created: 'Sun, 03 May 2026 09:59:59 +0000' }), sent, notBefore)).toBe(false);
    expect(isSentMessage(resource({ date_created: 'garbage' }), sent, notBefore)).toBe(false);
  });

  it('compares the Messaging Service when no From was sent, and no content for a Content template', () => {
    const viaService: SentTwilioMessage = { to: sent.to, messagingServiceSid: SERVICE, content: { kind: 'content_sid' } };
    expect(isSentMessage(resource({ from: 'whatsapp:+14155238886', messaging_service_sid: SERVICE, body: 'rendered template' }), viaService, notBefore)).toBe(true);
    expect(isSentMessage(resource({ messaging_service_sid: 'MG' + '0'.repeat(32) }), viaService, notBefore)).toBe(false);
  });

  it('picks the earliest created among matches, once per sid', () => {
    const early = resource({ sid: 'SM' + 'a'.repeat(32), date_created: 'Sun, 03 May 2026 10:00:01 +0000' });
    const late = resource({ sid: 'SM' + 'b'.repeat(32), date_created: 'Sun, 03 May 2026 10:00:09 +0000' });
    const attemptStartedAt = new Date(notBefore);
    expect(pickSentMessage([late, early, late], sent, { attemptStartedAt, clockSkewMs: 0 })).toEqual({
      sid: early.sid,
      status: 'sent',
      dateCreated: new Date('2026-05-03T10:00:01Z'),
      alsoMatched: [late.sid],
    });
    expect(pickSentMessage([late, early], sent, { attemptStartedAt, clockSkewMs: 0, excludeSids: [early.sid, late.sid] })).toBeUndefined();
  });
});
