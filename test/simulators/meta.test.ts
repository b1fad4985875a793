import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { verifyMetaSignature } from '../../src/providers/meta/signature';
import { MetaSimulator, type MetaAccount, type MetaSimulatorOptions, type WebhookPayload } from '../../src/simulators/meta';
import { createSimulatorApp, listenOnLoopback, sleep, type RecordedRequest } from '../../src/simulators/support';

/** Contract tests: real HTTP over loopback against the simulator, webhooks into a real local receiver. */

const APP_SECRET = 'test_app_secret';
const ACCOUNT: MetaAccount = {
  accessToken: 'EAAG-token-a',
  wabaId: '102290129340398',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '+1 555-078-3881',
};
const OTHER_ACCOUNT: MetaAccount = {
  accessToken: 'EAAG-token-b',
  wabaId: '202290129340398',
  phoneNumberId: '206540352242922',
  displayPhoneNumber: '+15550002222',
};
const USER = '+16505551234';
const USER_DIGITS = '16505551234';

interface ReceivedWebhook {
  rawBody: string;
  signature: string | undefined;
  payload: WebhookPayload;
}

// Response bodies are probed field by field; typing every Graph answer here would only repeat the assertions.
type Json = Record<string, any>;

let receiver: { app: FastifyInstance; requests: RecordedRequest[] };
let webhookUrl: string;
let simulator: MetaSimulator;

async function startSimulator(overrides: Partial<MetaSimulatorOptions> = {}): Promise<MetaSimulator> {
  simulator = await MetaSimulator.start({
    appSecret: APP_SECRET,
    webhookUrl,
    accounts: [ACCOUNT, OTHER_ACCOUNT],
    receiptDelayMs: 10,
    ...overrides,
  });
  return simulator;
}

/** Webhooks the receiver got; each one's signature must verify over the exact raw body. */
function receivedWebhooks(): ReceivedWebhook[] {
  return receiver.requests
    .filter((request) => request.path === '/webhook')
    .map((request) => {
      const signature = request.headers['x-hub-signature-256'] as string | undefined;
      expect(verifyMetaSignature(request.rawBody, signature, APP_SECRET)).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      return { rawBody: request.rawBody, signature, payload: JSON.parse(request.rawBody) as WebhookPayload };
    });
}

const statusesOf = (webhooks: ReceivedWebhook[]) =>
  webhooks.flatMap((w) => w.payload.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? [])));

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting for condition');
    await sleep(10);
  }
}

async function graph(method: string, path: string, options: { token?: string | null; body?: unknown } = {}) {
  const token = options.token === undefined ? ACCOUNT.accessToken : options.token;
  const response = await fetch(`${simulator.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const send = (body: unknown, options: { token?: string | null; phoneNumberId?: string } = {}) =>
  graph('POST', `/${options.phoneNumberId ?? ACCOUNT.phoneNumberId}/messages`, { body, token: options.token });

const textMessage = (overrides: Json = {}) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: USER,
  type: 'text',
  text: { preview_url: false, body: 'Hello from the test' },
  ...overrides,
});

function expectGraphError(result: { status: number; body: Json }, httpStatus: number, code: number) {
  expect(result.status).toBe(httpStatus);
  expect(result.body.error).toMatchObject({ code, type: 'OAuthException', message: expect.stringMatching(new RegExp(`^\\(#${code}\\) `)) });
  expect(typeof result.body.error.fbtrace_id).toBe('string');
}

beforeAll(async () => {
  receiver = createSimulatorApp();
  // Answers 401 to anything whose signature does not verify, so delivery status codes are meaningful too.
  receiver.app.post('/webhook', async (request, reply) => {
    const ok = verifyMetaSignature(request.rawBody, request.headers['x-hub-signature-256'] as string | undefined, APP_SECRET);
    return reply.status(ok ? 200 : 401).send(ok ? 'EVENT_RECEIVED' : 'bad signature');
  });
  webhookUrl = `${await listenOnLoopback(receiver.app)}/webhook`;
});

afterAll(async () => {
  await receiver.app.close();
});

beforeEach(() => {
  receiver.requests.length = 0;
});

afterEach(async () => {
  await simulator?.stop();
});

describe('sending', () => {
  it('accepts a text message with Meta\'s success shape and records it', async () => {
    await startSimulator();
    const result = await send(textMessage());
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: USER, wa_id: USER_DIGITS }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/) }],
    });
    const wamid = result.body.messages[0].id as string;
    expect(simulator.sentMessages).toEqual([
      { wamid, phoneNumberId: ACCOUNT.phoneNumberId, to: USER, waId: USER_DIGITS, type: 'text', payload: textMessage(), at: expect.any(Number) },
    ]);
    expect(simulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v23.0/${ACCOUNT.phoneNumberId}/messages`]);

    const second = await send(textMessage());
    expect(second.body.messages[0].id).not.toBe(wamid);

    const control = (await (await fetch(`${simulator.origin}/_sim/messages`)).json()) as Json[];
    expect(control.map((m) => m.wamid)).toEqual([wamid, second.body.messages[0].id]);
    expect(simulator.requests).toHaveLength(2); // /_sim is not recorded
  });

  it('rejects a wrong or foreign token with 401 (#190) and an unknown number with 400 (#100)', async () => {
    await startSimulator();
    const wrong = await send(textMessage(), { token: 'not-a-token' });
    expectGraphError(wrong, 401, 190);
    expectGraphError(await send(textMessage(), { token: null }), 401, 190);
    // A registered token that belongs to another business number is not enough.
    expectGraphError(await send(textMessage(), { token: OTHER_ACCOUNT.accessToken }), 401, 190);
    const unknown = await send(textMessage(), { phoneNumberId: '999999999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe(100);
    expect(simulator.sentMessages).toHaveLength(0);
    // The other account's own token works on its own number.
    expect((await send(textMessage(), { token: OTHER_ACCOUNT.accessToken, phoneNumberId: OTHER_ACCOUNT.phoneNumberId })).status).toBe(200);
  });

  it('validates requests like Meta', async () => {
    await startSimulator();
    const { to: _to, ...withoutTo } = textMessage();
    const missingTo = await send(withoutTo);
    expectGraphError(missingTo, 400, 131008);
    expect(missingTo.body.error.error_data).toEqual({ messaging_product: 'whatsapp', details: 'The parameter to is required.' });

    const tooLong = await send(textMessage({ text: { body: 'x'.repeat(4097) } }));
    expectGraphError(tooLong, 400, 100);
    expect(tooLong.body.error.error_data.details).toContain('4096');
    expect((await send(textMessage({ text: { body: 'é'.repeat(4096) } }))).status).toBe(200);

    const bothIdAndLink = await send({ messaging_product: 'whatsapp', to: USER, type: 'image', image: { id: '123', link: 'https://example.com/a.jpg' } });
    expectGraphError(bothIdAndLink, 400, 131009);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'image', image: {} }), 400, 131009);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'audio', audio: { id: '1', caption: 'no' } }), 400, 100);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'video', video: { id: '1', caption: 'c'.repeat(1025) } }), 400, 100);
    expectGraphError(await send(textMessage({ messaging_product: 'sms' })), 400, 100);
    expectGraphError(await send(textMessage({ type: 'carrier_pigeon' })), 400, 131051);

    const buttons = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ type: 'reply', reply: { id: `b${i}`, title: `Option ${i}` } }));
    const interactive = (count: number) => ({
      messaging_product: 'whatsapp',
      to: USER,
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Pick one' }, action: { buttons: buttons(count) } },
    });
    expectGraphError(await send(interactive(4)), 400, 131009);
    expect((await send(interactive(3))).status).toBe(200);
    expect(simulator.sentMessages.map((m) => m.type)).toEqual(['text', 'interactive']);
  });
});

describe('templates', () => {
  const template = (name: string, language: string, overrides: Json = {}) => ({
    messaging_product: 'whatsapp',
    to: USER,
    type: 'template',
    template: { name, language: { code: language }, ...overrides },
  });

  beforeEach(async () => {
    await startSimulator({ webhookUrl: undefined });
    simulator.upsertTemplate(ACCOUNT.wabaId, {
      name: 'order_update',
      language: 'en_US',
      components: [{ type: 'HEADER', format: 'TEXT', text: 'Order news' }, { type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.' }],
    });
    simulator.upsertTemplate(ACCOUNT.wabaId, {
      name: 'welcome',
      language: 'en',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [{ type: 'BODY', text: 'Hi {{first_name}}, use {{discount_code}}' }],
    });
  });

  it('accepts an approved template with matching parameters and reports message_status accepted', async () => {
    const positional = await send(
      template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '42' }] }] }),
    );
    expect(positional.status).toBe(200);
    expect(positional.body.messages).toEqual([{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }]);
    const named = await send(
      template('welcome', 'en', {
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
              { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
            ],
          },
        ],
      }),
    );
    expect(named.status).toBe(200);
  });

  it('rejects unknown templates (132001), parameter mismatches (132000) and paused/disabled ones', async () => {
    const unknown = await send(template('no_such_template', 'en_US'));
    expectGraphError(unknown, 404, 132001);
    expect(unknown.body.error.error_data.details).toContain('no_such_template');
    expectGraphError(await send(template('order_update', 'pt_BR')), 404, 132001);
    expectGraphError(await send(template('order_update', 'en_US', { language: {} })), 400, 131008);

    const oneParam = await send(template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }] }));
    expectGraphError(oneParam, 400, 132000);
    expect(oneParam.body.error.error_data.details).toContain('(1)');
    expectGraphError(await send(template('order_update', 'en_US')), 400, 132000);
    const wrongName = await send(
      template('welcome', 'en', {
        components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'J' }, { type: 'text', parameter_name: 'code', text: 'W' }] }],
      }),
    );
    expectGraphError(wrongName, 400, 132000);

    const valid = template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }] });
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'PAUSED');
    expectGraphError(await send(valid), 400, 132015);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'DISABLED');
    expectGraphError(await send(valid), 400, 132016);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'PENDING');
    expectGraphError(await send(valid), 404, 132001);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'APPROVED');
    expect((await send(valid)).status).toBe(200);
    // Templates belong to a WABA: the other account's number cannot use them.
    const foreign = await send(valid, { token: OTHER_ACCOUNT.accessToken, phoneNumberId: OTHER_ACCOUNT.phoneNumberId });
    expectGraphError(foreign, 404, 132001);
    expect(simulator.sentMessages).toHaveLength(1);
  });

  it('lists templates in cursor pages with a full next URL that is absent on the last page', async () => {
    for (let i = 0; i < 28; i += 1) {
      simulator.upsertTemplate(ACCOUNT.wabaId, { name: `bulk_${String(i).padStart(2, '0')}`, language: 'en_US', components: [] });
    }
    const defaultPage = await graph('GET', `/${ACCOUNT.wabaId}/message_templates`);
    expect(defaultPage.body.data).toHaveLength(25);

    const first = await graph('GET', `/${ACCOUNT.wabaId}/message_templates?limit=20`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(20);
    expect(first.body.data[0]).toEqual({
      name: 'order_update',
      parameter_format: 'POSITIONAL',
      components: expect.any(Array),
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      id: expect.stringMatching(/^\d+$/),
    });
    expect(first.body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    const next = first.body.paging.next as string;
    expect(next.startsWith(`${simulator.baseUrl}/${ACCOUNT.wabaId}/message_templates?`)).toBe(true);

    const secondResponse = await fetch(next, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    const second = (await secondResponse.json()) as Json;
    expect(second.data).toHaveLength(10);
    expect(second.paging.next).toBeUndefined();
    const names = [...first.body.data, ...second.data].map((t: Json) => t.name);
    expect(new Set(names).size).toBe(30);

    expectGraphError(await graph('GET', `/${ACCOUNT.wabaId}/message_templates`, { token: OTHER_ACCOUNT.accessToken }), 401, 190);
  });
});

describe('receipts', () => {
  it('sends signed sent and delivered webhooks that echo biz_opaque_callback_data', async () => {
    await startSimulator();
    const result = await send(textMessage({ biz_opaque_callback_data: 'tracking-123' }));
    const wamid = result.body.messages[0].id as string;
    const webhooks = await waitFor(() => receivedWebhooks().length >= 2 && receivedWebhooks());
    await sleep(80);
    expect(receivedWebhooks()).toHaveLength(2); // autoRead is off: nothing after 'delivered'

    const [sent, delivered] = webhooks.map((w) => w.payload);
    expect(sent).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: ACCOUNT.wabaId,
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: ACCOUNT.phoneNumberId },
                statuses: [
                  {
                    id: wamid,
                    status: 'sent',
                    timestamp: expect.stringMatching(/^\d{10}$/),
                    recipient_id: USER_DIGITS,
                    biz_opaque_callback_data: 'tracking-123',
                    conversation: { id: expect.any(String), expiration_timestamp: expect.stringMatching(/^\d+$/), origin: { type: 'service' } },
                    pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
                  },
                ],
              },
              field: 'messages',
            },
          ],
        },
      ],
    });
    const deliveredStatus = delivered!.entry[0]!.changes[0]!.value.statuses![0]!;
    expect(deliveredStatus).toMatchObject({ id: wamid, status: 'delivered', biz_opaque_callback_data: 'tracking-123' });
    expect(deliveredStatus.conversation?.expiration_timestamp).toBeUndefined();
    expect(simulator.webhookDeliveries.map((d) => d.statusCode)).toEqual([200, 200]);
  });

  it('goes on to read with autoRead, prices templates and drops conversation from v24', async () => {
    await startSimulator({ autoRead: true, apiVersion: 'v24.0' });
    simulator.upsertTemplate(ACCOUNT.wabaId, { name: 'hello_world', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hello' }] });
    await send({ messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
    const statuses = statusesOf(await waitFor(() => receivedWebhooks().length >= 3 && receivedWebhooks()));
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0]!.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' });
    expect(statuses[0]!.conversation).toBeUndefined();
    expect(statuses[2]!.pricing).toBeUndefined();
  });

  it('follows scripts: out of order, duplicates, failures, late and withheld receipts', async () => {
    await startSimulator();
    simulator.scriptReceipts(USER, [
      { status: 'read' },
      { status: 'delivered', duplicate: true },
      { status: 'sent', delayMs: 60 },
    ]);
    simulator.scriptReceipts('+16505550000', []);
    simulator.scriptReceipts('16505559999', [{ status: 'failed', error: { code: 131049, details: 'healthy ecosystem' } }]);

    const scripted = (await send(textMessage())).body.messages[0].id as string;
    const withheld = (await send(textMessage({ to: '+16505550000' }))).body.messages[0].id as string;
    const failed = (await send(textMessage({ to: '+1 650-555-9999' }))).body.messages[0].id as string;

    const statuses = statusesOf(await waitFor(() => statusesOf(receivedWebhooks()).length >= 5 && receivedWebhooks()));
    await sleep(80);
    expect(statusesOf(receivedWebhooks()).some((s) => s.id === withheld)).toBe(false);
    expect(statuses.filter((s) => s.id === scripted).map((s) => s.status)).toEqual(['read', 'delivered', 'delivered', 'sent']);
    const failure = statuses.find((s) => s.id === failed)!;
    expect(failure).toMatchObject({ status: 'failed', recipient_id: '16505559999' });
    expect(failure.errors).toEqual([
      {
        code: 131049,
        title: 'This message was not delivered to maintain healthy ecosystem engagement.',
        message: 'This message was not delivered to maintain healthy ecosystem engagement.',
        error_data: { details: 'healthy ecosystem' },
        href: '/documentation/business-messaging/whatsapp/support/error-codes',
      },
    ]);
    expect(failure.pricing).toBeUndefined();

    // A script covers one message only; the next one to the same user gets automatic receipts again.
    receiver.requests.length = 0;
    const next = (await send(textMessage())).body.messages[0].id as string;
    const automatic = statusesOf(await waitFor(() => receivedWebhooks().length >= 2 && receivedWebhooks()));
    expect(automatic.map((s) => [s.id, s.status])).toEqual([
      [next, 'sent'],
      [next, 'delivered'],
    ]);
  });

  it('sends no automatic receipts without a webhook URL and records failed deliveries', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    await sleep(60);
    expect(simulator.webhookDeliveries).toHaveLength(0);
    const delivery = await simulator.emitStatus(wamid, 'delivered');
    expect(delivery).toMatchObject({ statusCode: 0, error: 'No webhook URL configured' });
    simulator.setWebhookUrl(webhookUrl);
    expect((await simulator.emitStatus(wamid, 'read', { timestamp: 1750030073 })).statusCode).toBe(200);
    const [status] = statusesOf(receivedWebhooks());
    expect(status).toEqual({ id: wamid, status: 'read', timestamp: '1750030073', recipient_id: USER_DIGITS });
  });
});

describe('faults', () => {
  it('fails the next N sends with the given error, then succeeds', async () => {
    await startSimulator({ webhookUrl: undefined });
    simulator.failNextSends(2, { httpStatus: 500, code: 131000, details: 'Something broke', isTransient: true });
    // Mark-as-read is not a send and does not use up a fault.
    expect((await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' })).status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const failed = await send(textMessage());
      expectGraphError(failed, 500, 131000);
      expect(failed.body.error).toMatchObject({ is_transient: true, error_data: { messaging_product: 'whatsapp', details: 'Something broke' } });
    }
    expect((await send(textMessage())).status).toBe(200);
    expect(simulator.sentMessages).toHaveLength(1);
  });

  it('adds latency to API requests but not to /_sim, and is controllable over /_sim/faults', async () => {
    await startSimulator({ webhookUrl: undefined });
    const response = await fetch(`${simulator.origin}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 150, failNextSends: { count: 1, error: { httpStatus: 429, code: 130429 } } }),
    });
    expect(response.status).toBe(200);
    const started = Date.now();
    const limited = await send(textMessage());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expectGraphError(limited, 429, 130429);
    expect(limited.body.error.message).toBe('(#130429) Rate limit hit');
    const controlStarted = Date.now();
    await fetch(`${simulator.origin}/_sim/messages`);
    expect(Date.now() - controlStarted).toBeLessThan(140);
  });
});

describe('webhook emission', () => {
  it('delivers a batch of 50 statuses in one signed POST split across 2 entries', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamids: string[] = [];
    for (let i = 0; i < 50; i += 1) wamids.push((await send(textMessage({ to: `+1650555${String(1000 + i)}` }))).body.messages[0].id);
    simulator.setWebhookUrl(webhookUrl);

    const delivery = await simulator.emitBatch(wamids.map((wamid) => ({ kind: 'status' as const, wamid, status: 'delivered' as const })), { entries: 2 });
    expect(delivery.statusCode).toBe(200);
    const webhooks = receivedWebhooks();
    expect(webhooks).toHaveLength(1);
    const { entry } = webhooks[0]!.payload;
    expect(entry).toHaveLength(2);
    expect(entry.map((e) => e.id)).toEqual([ACCOUNT.wabaId, ACCOUNT.wabaId]);
    expect(entry.map((e) => e.changes[0]!.value.statuses!.length)).toEqual([25, 25]);
    expect(statusesOf(webhooks).map((s) => s.id)).toEqual(wamids);
  });

  it('groups a mixed batch per WABA with messages and contacts beside statuses', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    simulator.setWebhookUrl(webhookUrl);
    await simulator.emitBatch([
      { kind: 'status', wamid, status: 'read' },
      { kind: 'inbound', type: 'text', from: USER, profileName: 'Sheena Nelson', text: 'one' },
      { kind: 'inbound', type: 'text', from: USER, profileName: 'Sheena Nelson', text: 'two', phoneNumberId: OTHER_ACCOUNT.phoneNumberId },
    ]);
    const [webhook] = receivedWebhooks();
    expect(webhook!.payload.entry.map((e) => e.id)).toEqual([ACCOUNT.wabaId, OTHER_ACCOUNT.wabaId]);
    const first = webhook!.payload.entry[0]!.changes[0]!.value;
    expect(first.statuses!.map((s) => s.status)).toEqual(['read']);
    expect(first.messages!.map((m) => (m.text as { body: string }).body)).toEqual(['one']);
    expect(first.contacts).toEqual([{ profile: { name: 'Sheena Nelson' }, wa_id: USER_DIGITS }]);
    expect(webhook!.payload.entry[1]!.changes[0]!.value.metadata.phone_number_id).toBe(OTHER_ACCOUNT.phoneNumberId);
  });

  it('emits inbound text from a BSUID-only sender without `from`, like Meta', async () => {
    await startSimulator();
    await simulator.emitInbound({ type: 'text', fromUserId: 'US.13491208655302741918', profileName: 'Sheena', text: 'Hi there', timestamp: 1749416383 });
    const [webhook] = receivedWebhooks();
    const value = webhook!.payload.entry[0]!.changes[0]!.value;
    expect(value.contacts).toEqual([{ profile: { name: 'Sheena' }, user_id: 'US.13491208655302741918' }]);
    expect(value.messages).toEqual([
      { from_user_id: 'US.13491208655302741918', id: expect.stringMatching(/^wamid\./), timestamp: '1749416383', type: 'text', text: { body: 'Hi there' } },
    ]);
    expect(value.messages![0]).not.toHaveProperty('from');
  });

  it('emits an inbound image whose media can be looked up and downloaded', async () => {
    await startSimulator();
    const bytes = crypto.randomBytes(2048);
    const mediaId = simulator.addMedia({ bytes, mimeType: 'image/jpeg' });
    await simulator.emitInbound({
      type: 'image',
      from: USER,
      caption: 'Taj Mahal',
      mediaId,
      context: { from: '15550783881', id: 'wamid.ctx' },
    });
    const message = receivedWebhooks()[0]!.payload.entry[0]!.changes[0]!.value.messages![0]!;
    expect(message).toEqual({
      context: { from: '15550783881', id: 'wamid.ctx' },
      from: USER_DIGITS,
      id: expect.any(String),
      timestamp: expect.any(String),
      type: 'image',
      image: { caption: 'Taj Mahal', mime_type: 'image/jpeg', sha256: crypto.createHash('sha256').update(bytes).digest('base64'), id: mediaId },
    });
    // Media the test did not supply still downloads.
    await simulator.emitInbound({ type: 'audio', fromUserId: 'US.1', text: '' });
    const audio = receivedWebhooks()[1]!.payload.entry[0]!.changes[0]!.value.messages![0]!.audio as { id: string; mime_type: string };
    const lookup = await graph('GET', `/${audio.id}`);
    expect(lookup.body.mime_type).toBe('audio/ogg; codecs=opus');
  });

  it('escapes non-ASCII as \\uXXXX in the raw body and signs exactly those bytes', async () => {
    await startSimulator();
    const text = "J'ai mangé des pâtes みどりいろ 👍";
    const delivery = await simulator.emitInbound({ type: 'text', from: USER, profileName: 'Zoë', text });
    expect(delivery.statusCode).toBe(200);
    const [webhook] = receivedWebhooks();
    expect(webhook!.rawBody).toMatch(/^[\x00-\x7f]*$/);
    expect(webhook!.rawBody).toContain('mang\\u00e9 des p\\u00e2tes \\u307f\\u3069\\u308a\\u3044\\u308d \\ud83d\\udc4d');
    expect(webhook!.rawBody).toBe(delivery.rawBody);
    const parsed = webhook!.payload;
    expect(parsed.entry[0]!.changes[0]!.value.messages![0]!.text).toEqual({ body: text });
    // The gotcha: re-serialising the parsed JSON unescapes the text and no longer verifies.
    expect(verifyMetaSignature(JSON.stringify(parsed), webhook!.signature, APP_SECRET)).toBe(false);
  });

  it('delivers raw payloads with a forged signature so receivers can reject them', async () => {
    await startSimulator();
    const delivery = await simulator.deliverRaw({ object: 'whatsapp_business_account', entry: [] }, { signature: 'sha256=' + '0'.repeat(64) });
    expect(delivery.statusCode).toBe(401);
    expect(receiver.requests[0]!.headers['x-hub-signature-256']).toBe('sha256=' + '0'.repeat(64));
    expect((await simulator.deliverRaw({ object: 'whatsapp_business_account', entry: [] })).statusCode).toBe(200);
  });

  it('emits inbound messages and receipts through the /_sim control routes', async () => {
    await startSimulator();
    simulator.scriptReceipts(USER, []);
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    const post = (path: string, body: unknown) =>
      fetch(`${simulator.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const inbound = (await (await post('/_sim/inbound', { type: 'text', from: '16505551234', text: 'Does it come in another color?' })).json()) as Json;
    expect(inbound.statusCode).toBe(200);
    const receipt = await post('/_sim/receipts', { wamid, status: 'failed', error: { code: 131026 } });
    expect(receipt.status).toBe(200);
    expect((await post('/_sim/receipts', { wamid })).status).toBe(400);
    const webhooks = receivedWebhooks();
    expect(webhooks).toHaveLength(2);
    expect(webhooks[0]!.payload.entry[0]!.changes[0]!.value.messages![0]!.text).toEqual({ body: 'Does it come in another color?' });
    expect(statusesOf(webhooks)).toEqual([expect.objectContaining({ id: wamid, status: 'failed', errors: [expect.objectContaining({ code: 131026 })] })]);
    expect(simulator.requests.every((r) => !r.path.startsWith('/_sim'))).toBe(true);
  });
});

describe('media', () => {
  it('round-trips bytes through the metadata lookup and the bearer-protected URL', async () => {
    await startSimulator();
    const bytes = crypto.randomBytes(5000);
    const mediaId = simulator.addMedia({ bytes, mimeType: 'image/png' });
    const lookup = await graph('GET', `/${mediaId}`, { token: OTHER_ACCOUNT.accessToken });
    expect(lookup.body).toEqual({
      messaging_product: 'whatsapp',
      url: `${simulator.origin}/_media/${mediaId}`,
      mime_type: 'image/png',
      sha256: crypto.createHash('sha256').update(bytes).digest('base64'),
      file_size: 5000,
      id: mediaId,
    });
    const download = await fetch(lookup.body.url, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    expect((await fetch(lookup.body.url)).status).toBe(401);
    expectGraphError(await graph('GET', `/${mediaId}`, { token: 'nope' }), 401, 190);
    const missing = await graph('GET', '/123456789');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(100);
    const missingDownload = await fetch(`${simulator.origin}/_media/123456789`, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(missingDownload.status).toBe(404);
  });
});

describe('mark as read', () => {
  it('answers { success: true }, records it and sends no receipt', async () => {
    await startSimulator();
    const result = await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.incoming', typing_indicator: { type: 'text' } });
    expect(result).toEqual({ status: 200, body: { success: true } });
    expect(simulator.markedAsRead).toEqual([
      { phoneNumberId: ACCOUNT.phoneNumberId, messageId: 'wamid.incoming', typingIndicator: { type: 'text' }, at: expect.any(Number) },
    ]);
    expectGraphError(await send({ messaging_product: 'whatsapp', status: 'read' }), 400, 131008);
    await sleep(60);
    expect(simulator.sentMessages).toHaveLength(0);
    expect(receivedWebhooks()).toHaveLength(0);
  });
});
