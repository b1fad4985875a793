import { classifyTwilioError } from '../../../src/domain/twilioErrors';
import { TwilioMessagingClient, type TwilioSenders } from '../../../src/providers/twilio/messagingClient';
import { ProviderSendError } from '../../../src/providers/messagingPort';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';
import { buildComponents } from '../../../src/domain/templateComponents';
import { syncedContent } from '../../support/twilioContent';
import { waitFor } from '../../support/waitFor';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + 'c'.repeat(32), authToken: 'client_test_token' };
const WHATSAPP_FROM = '+14155238886';
const SMS_FROM = '+15017122661';
const SERVICE = 'MG' + 'd'.repeat(32);
/** Nothing listens here: callbacks are recorded by the simulator as failed deliveries, which is all these specs need. */
const PUBLIC_BASE_URL = 'http://127.0.0.1:9/app';
const REFERENCE = 'deliver:loc-1:hl-42';
const CALLBACK = `${PUBLIC_BASE_URL}/webhooks/twilio?ref=deliver%3Aloc-1%3Ahl-42`;
const BASIC_AUTH = `Basic ${Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64')}`;

let sim: TwilioSimulator;
beforeAll(async () => {
  sim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 10 });
});
afterAll(async () => {
  await sim.stop();
});

function client(senders: TwilioSenders = { whatsAppFrom: `whatsapp:${WHATSAPP_FROM}`, smsFrom: SMS_FROM }, account = ACCOUNT) {
  return new TwilioMessagingClient({ apiBaseUrl: sim.baseUrl, publicBaseUrl: PUBLIC_BASE_URL, credentials: account, senders });
}

/** The last create request, as the simulator received it. */
function lastCreate() {
  const request = sim.requests.at(-1);
  if (!request) throw new Error('no request reached the simulator');
  return { ...request, form: [...new URLSearchParams(request.rawBody)] };
}

describe('TwilioMessagingClient as the WhatsApp sender', () => {
  it('sends a text as Body between whatsapp: addresses, with our reference in the StatusCallback', async () => {
    const { providerMessageId } = await client().send('+16505551234', { kind: 'text', body: 'Your visit is at 3pm', previewUrl: false }, REFERENCE);

    const request = lastCreate();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`);
    expect(request.headers.authorization).toBe(BASIC_AUTH);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.form).toEqual([
      ['To', 'whatsapp:+16505551234'],
      ['From', 'whatsapp:+14155238886'],
      ['Body', 'Your visit is at 3pm'],
      ['StatusCallback', CALLBACK],
    ]);
    expect(providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sim.messages.at(-1)).toMatchObject({ sid: providerMessageId, channel: 'whatsapp', statusCallback: CALLBACK });
    // Twilio calls back exactly the URL we gave, so the workflow id comes back with every receipt.
    const callback = await waitFor(() => sim.callbackDeliveries.find((delivery) => delivery.messageSid === providerMessageId));
    expect(callback.url).toBe(CALLBACK);
  });

  it('sends media as MediaUrl with the caption as Body', async () => {
    await client().send('+16505551234', { kind: 'media', mediaType: 'image', link: 'https://cdn.example.com/x.png', caption: 'Your receipt' }, REFERENCE);
    expect(lastCreate().form).toEqual([
      ['To', 'whatsapp:+16505551234'],
      ['From', 'whatsapp:+14155238886'],
      ['Body', 'Your receipt'],
      ['MediaUrl', 'https://cdn.example.com/x.png'],
      ['StatusCallback', CALLBACK],
    ]);
    expect(sim.messages.at(-1)?.sid).toMatch(/^MM/);
  });

  it('sends a sticker (.webp) as MediaUrl alone: Twilio takes image/webp only as a WhatsApp sticker', async () => {
    await client().send('+16505551234', { kind: 'media', mediaType: 'sticker', link: 'https://cdn.example.com/smile.webp' }, REFERENCE);
    expect(lastCreate().form).toEqual([
      ['To', 'whatsapp:+16505551234'],
      ['From', 'whatsapp:+14155238886'],
      ['MediaUrl', 'https://cdn.example.com/smile.webp'],
      ['StatusCallback', CALLBACK],
    ]);
  });

  it('sends media without a caption as MediaUrl alone', async () => {
    await client().send('+16505551234', { kind: 'media', mediaType: 'document', link: 'https://cdn.example.com/a.pdf', filename: 'a.pdf' }, REFERENCE);
    expect(lastCreate().form.map(([name]) => name)).toEqual(['To', 'From', 'MediaUrl', 'StatusCallback']);
  });

  it('sends a template as ContentSid + ContentVariables (a JSON string), without Body', async () => {
    const contentSid = sim.addContent({
      friendlyName: 'appointment_reminder',
      language: 'en',
      types: { 'twilio/text': { body: 'Hi {{1}}, see you on {{2}}' } },
      approval: { status: 'approved', category: 'UTILITY' },
    });
    await client().send('+16505551234', { kind: 'template', contentSid, variables: { '1': 'Alice', '2': '12/1' } }, REFERENCE);
    expect(lastCreate().form).toEqual([
      ['To', 'whatsapp:+16505551234'],
      ['From', 'whatsapp:+14155238886'],
      ['ContentSid', contentSid],
      ['ContentVariables', '{"1":"Alice","2":"12/1"}'],
      ['StatusCallback', CALLBACK],
    ]);
    expect(sim.messages.at(-1)).toMatchObject({ contentSid, body: 'Hi Alice, see you on 12/1' });
  });

  it("sends an approved WhatsApp template through its synced Content template, variables keyed by the content's own keys, media variable kept", async () => {
    // The content's keys are 1 and 3 in the body and 2 in the media URL: Meta's per-component numbering would be wrong.
    const content = {
      friendlyName: 'visit_video',
      language: 'en_US',
      variables: { '1': 'name', '2': 'welcome.mp4', '3': 'date' },
      types: { 'twilio/media': { body: 'Hi {{1}}, here is your visit on {{3}}.', media: ['https://cdn.example.com/videos/{{2}}'] } },
      approval: { status: 'approved' as const, category: 'UTILITY', name: 'visit_video' },
    };
    const contentSid = sim.addContent(content);
    const synced = new Map([['visit_video/en_US', syncedContent(contentSid, { ...content, sid: contentSid })]]);
    const sender = new TwilioMessagingClient({
      apiBaseUrl: sim.baseUrl,
      publicBaseUrl: PUBLIC_BASE_URL,
      credentials: ACCOUNT,
      senders: { whatsAppFrom: WHATSAPP_FROM },
      contentFor: async (name, language) => synced.get(`${name}/${language}`),
    });
    // The components the template decision builds (src/domain/templateComponents.ts) from the text and an attachment.
    const definition = synced.get('visit_video/en_US')!.template;
    const built = buildComponents(definition, { body: { '1': 'Alice', '3': 'Friday' } }, { text: '', attachments: ['https://cdn.example.com/videos/alice-7.mp4'] });
    if (!built.ok) throw new Error(built.reason);
    const template = { name: 'visit_video', language: 'en_US', category: 'UTILITY', components: built.components };
    await sender.send('+16505551234', { kind: 'template', template }, REFERENCE);
    expect(lastCreate().form).toEqual([
      ['To', 'whatsapp:+16505551234'],
      ['From', 'whatsapp:+14155238886'],
      ['ContentSid', contentSid],
      ['ContentVariables', '{"1":"Alice","2":"alice-7.mp4","3":"Friday"}'],
      ['StatusCallback', CALLBACK],
    ]);
    expect(sim.messages.at(-1)).toMatchObject({ contentSid, body: 'Hi Alice, here is your visit on Friday.', mediaUrls: ['https://cdn.example.com/videos/alice-7.mp4'] });

    // A link the content's media URL cannot carry is refused before any request, with the reason.
    const before = sim.requests.length;
    const foreign = buildComponents(definition, { body: { '1': 'Alice', '3': 'Friday' }, header: 'https://elsewhere.example.org/v.mp4' }, { text: '', attachments: [] });
    if (!foreign.ok) throw new Error(foreign.reason);
    const refused = await sender.send('+16505551234', { kind: 'template', template: { ...template, components: foreign.components } }, REFERENCE).catch((caught: unknown) => caught);
    expect((refused as ProviderSendError).providerError).toMatchObject({
      code: 21656,
      details: 'the Twilio content of template visit_video/en_US has the media URL https://cdn.example.com/videos/{{2}}, which cannot carry https://elsewhere.example.org/v.mp4',
    });
    expect(classifyTwilioError((refused as ProviderSendError).providerError)).toBe('permanent');

    const unsynced = await sender.send('+16505551234', { kind: 'template', template: { ...template, name: 'not_synced' } }, REFERENCE).catch((caught: unknown) => caught);
    expect(unsynced).toBeInstanceOf(ProviderSendError);
    expect((unsynced as ProviderSendError).providerError).toMatchObject({ code: 21655, details: 'no Twilio Content template is synced for "not_synced" (en_US)' });
    expect(classifyTwilioError((unsynced as ProviderSendError).providerError)).toBe('permanent');
    expect(sim.requests.length).toBe(before);
  });

  it('adds the whatsapp: prefix to a bare sender number and uses the Messaging Service when there is no number', async () => {
    await client({ whatsAppFrom: WHATSAPP_FROM }).send('+16505551234', { kind: 'text', body: 'a', previewUrl: false }, REFERENCE);
    expect(lastCreate().form[1]).toEqual(['From', 'whatsapp:+14155238886']);
    sim.scriptCallbacks('whatsapp:+16505551234', []); // no status progression: the initial status stays to be read
    await client({ messagingServiceSid: SERVICE }).send('+16505551234', { kind: 'text', body: 'b', previewUrl: false }, REFERENCE);
    expect(lastCreate().form[1]).toEqual(['MessagingServiceSid', SERVICE]);
    expect(sim.messages.at(-1)).toMatchObject({ status: 'accepted', messagingServiceSid: SERVICE });
  });
});

describe('TwilioMessagingClient.sendSms', () => {
  it('sends from the SMS number, with Body, MediaUrl and the StatusCallback', async () => {
    const { providerMessageId } = await client().sendSms('+16505551234', 'Reminder: 3pm tomorrow', ['https://cdn.example.com/map.png'], REFERENCE);
    const request = lastCreate();
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`);
    expect(request.headers.authorization).toBe(BASIC_AUTH);
    expect(request.form).toEqual([
      ['To', '+16505551234'],
      ['From', SMS_FROM],
      ['Body', 'Reminder: 3pm tomorrow'],
      ['MediaUrl', 'https://cdn.example.com/map.png'],
      ['StatusCallback', CALLBACK],
    ]);
    expect(sim.messages.at(-1)).toMatchObject({ sid: providerMessageId, channel: 'sms', to: '+16505551234', from: SMS_FROM });
  });

  it('sends through the Messaging Service when the location has no SMS number', async () => {
    await client({ whatsAppFrom: WHATSAPP_FROM, messagingServiceSid: SERVICE }).sendSms('+16505551234', 'Hello', [], REFERENCE);
    expect(lastCreate().form).toEqual([
      ['To', '+16505551234'],
      ['MessagingServiceSid', SERVICE],
      ['Body', 'Hello'],
      ['StatusCallback', CALLBACK],
    ]);
  });

  it('refuses without calling Twilio when no SMS sender is configured', async () => {
    const before = sim.requests.length;
    const error = await client({ whatsAppFrom: WHATSAPP_FROM }).sendSms('+16505551234', 'Hello', [], REFERENCE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderSendError);
    expect((error as ProviderSendError).providerError).toMatchObject({ code: 21603 });
    expect(classifyTwilioError((error as ProviderSendError).providerError)).toBe('permanent');
    expect(sim.requests.length).toBe(before);
  });
});

describe('Twilio errors', () => {
  async function sendError(send: () => Promise<unknown>): Promise<ProviderSendError> {
    const error = await send().catch((caught: unknown) => caught);
    if (!(error instanceof ProviderSendError)) throw new Error(`expected a ProviderSendError, got ${String(error)}`);
    return error;
  }

  it('turns 429/20429 into a retryable typed error', async () => {
    sim.failNextCreates(1, { httpStatus: 429, code: 20429 });
    const error = await sendError(() => client().sendSms('+16505551234', 'x', [], REFERENCE));
    expect(error.providerError).toEqual({ code: 20429, httpStatus: 429, title: 'Too Many Requests' });
    expect(classifyTwilioError(error.providerError)).toBe('retry');
  });

  it('turns an opted-out recipient (21610) into a permanent error', async () => {
    sim.failNextCreates(1, { httpStatus: 400, code: 21610 });
    const error = await sendError(() => client().sendSms('+16505551234', 'x', [], REFERENCE));
    expect(error.providerError).toMatchObject({ code: 21610, httpStatus: 400, title: 'Attempt to send to unsubscribed recipient' });
    expect(classifyTwilioError(error.providerError)).toBe('permanent');
  });

  it("passes Twilio's own validation errors through (invalid To: 21211)", async () => {
    const error = await sendError(() => client().send('12345', { kind: 'text', body: 'x', previewUrl: false }, REFERENCE));
    expect(error.providerError).toMatchObject({ code: 21211, httpStatus: 400 });
  });

  it('reports bad credentials as 20003, which pauses the sender', async () => {
    const error = await sendError(() => client(undefined, { ...ACCOUNT, authToken: 'wrong' }).sendSms('+16505551234', 'x', [], REFERENCE));
    expect(error.providerError).toMatchObject({ code: 20003, httpStatus: 401 });
    expect(classifyTwilioError(error.providerError)).toBe('pause_sender');
  });
});
