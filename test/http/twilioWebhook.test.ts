import crypto from 'node:crypto';
import { Client, Connection, defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config';
import { createDb } from '../../src/db/database';
import { buildApp } from '../../src/http/app';
import { EMPTY_TWIML } from '../../src/http/twilioWebhookRoute';
import { TwilioMessagingClient } from '../../src/providers/twilio/messagingClient';
import { parseForm, signTwilioRequest, verifyTwilioSignature } from '../../src/providers/twilio/signature';
import { SecretBox } from '../../src/security/secretBox';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';
import { lastInboundAt } from '../../src/store/conversationWindows';
import { upsertLocation } from '../../src/store/locations';
import { deliverWorkflowId, type ReceiptSignal } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { listenOnFreePort, waitFor } from '../support/waitFor';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + 'e'.repeat(32), authToken: 'webhook_test_token' };
const WHATSAPP_FROM = '+14155238886';
const SMS_FROM = '+15017122661';
/** whatsapp.md B.3 vector 2: a WhatsApp `read` callback signed with `test_auth_token`. */
const VECTOR = {
  authToken: 'test_auth_token',
  url: 'https://hooks.example.com/twilio/status?tenant=acme',
  signature: 'OI6yml6VT0cFrcDvHfo9alYwua8=',
  raw: 'SmsSid=SM0123456789abcdef0123456789abcdef&SmsStatus=read&MessageStatus=read&EventType=READ&ChannelToAddress=%2B16505551234&To=whatsapp%3A%2B16505551234&ChannelPrefix=whatsapp&MessageSid=SM0123456789abcdef0123456789abcdef&AccountSid=AC0123456789abcdef0123456789abcdef&From=whatsapp%3A%2B14155238886&ApiVersion=2010-04-01',
};
/** Where a proxy publishes the API in the "behind a proxy" specs; the app itself listens on loopback. */
const PROXIED_BASE_URL = 'https://hooks.example.com/ghl';

let database: TestDatabase;
let sim: TwilioSimulator;
let connection: Connection;
let temporal: Client;
let api: FastifyInstance;
let proxied: FastifyInstance;
let apiUrl: string;
let config: Config;
let box: SecretBox;
const workflows: WorkflowHandle[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 20 });
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS as string });
  temporal = new Client({ connection });
  config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', DATABASE_URL: database.url, TWILIO_API_BASE_URL: sim.baseUrl });
  box = new SecretBox(crypto.randomBytes(32).toString('base64'));
  api = buildApp({ config, db: database.db, temporal, box });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  config.PUBLIC_BASE_URL = apiUrl; // known only once listening; Twilio calls back here
  proxied = buildApp({ config: { ...config, PUBLIC_BASE_URL: PROXIED_BASE_URL }, db: database.db, temporal, box });
  await proxied.listen({ host: '127.0.0.1', port: 0 });

  await upsertLocation(database.db, {
    id: 'loc-twilio',
    whatsapp_backend: 'twilio',
    twilio_account_sid: ACCOUNT.accountSid,
    twilio_auth_token_enc: box.encrypt(ACCOUNT.authToken),
    twilio_whatsapp_from: `whatsapp:${WHATSAPP_FROM}`,
    twilio_sms_from: SMS_FROM,
  });
  await upsertLocation(database.db, {
    id: 'loc-vector',
    whatsapp_backend: 'twilio',
    twilio_account_sid: 'AC0123456789abcdef0123456789abcdef',
    twilio_auth_token_enc: box.encrypt(VECTOR.authToken),
  });
});

afterAll(async () => {
  await Promise.all(workflows.map((handle) => handle.terminate('test over').catch(() => undefined)));
  await proxied?.close();
  await api?.close();
  await sim?.stop();
  await connection?.close();
  await database?.drop();
});

const twilio = () =>
  new TwilioMessagingClient({
    apiBaseUrl: sim.baseUrl,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    credentials: ACCOUNT,
    senders: { whatsAppFrom: WHATSAPP_FROM, smsFrom: SMS_FROM },
  });

/** A delivery workflow nobody works on: it stays open, so every signal it gets is in its history. */
async function openWorkflow(): Promise<WorkflowHandle> {
  const handle = await temporal.workflow.start('deliverMessage', {
    taskQueue: `idle-${crypto.randomBytes(4).toString('hex')}`,
    workflowId: deliverWorkflowId('loc-twilio', `hl-${crypto.randomBytes(4).toString('hex')}`),
    args: [],
  });
  workflows.push(handle);
  return handle;
}

async function receiptSignals(handle: WorkflowHandle): Promise<ReceiptSignal[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.workflowExecutionSignaledEventAttributes)
    .filter((attributes) => attributes?.signalName === 'receipt')
    .map((attributes) => defaultPayloadConverter.fromPayload<ReceiptSignal>(attributes?.input?.payloads?.[0] ?? {}));
}

const receiptRows = (messageSid: string) =>
  database.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', messageSid).orderBy('received_at').execute();

const deliveriesOf = (messageSid: string) => sim.callbackDeliveries.filter((delivery) => delivery.messageSid === messageSid);

function localUrl(app: FastifyInstance): string {
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** A form POST over real HTTP to the app, as Twilio (through a proxy) would send it. */
async function post(app: FastifyInstance, path: string, raw: string, signature?: string) {
  const response = await fetch(`${localUrl(app)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: raw,
  });
  return { statusCode: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

describe('POST /webhooks/twilio: X-Twilio-Signature', () => {
  it("verifies Twilio's published vector and the WhatsApp callback vector, and rejects a tampered one", () => {
    const published = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(verifyTwilioSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', 'https://mycompany.com/myapp.php?foo=1&bar=2', published)).toBe(true);
    expect(verifyTwilioSignature(VECTOR.authToken, VECTOR.signature, VECTOR.url, parseForm(VECTOR.raw))).toBe(true);
    expect(verifyTwilioSignature(VECTOR.authToken, VECTOR.signature, VECTOR.url, parseForm(VECTOR.raw.replace('MessageStatus=read', 'MessageStatus=failed')))).toBe(false);
  });

  it('accepts a callback signed over the public URL (PUBLIC_BASE_URL + path + query) behind a proxy, and stores it', async () => {
    const path = '/webhooks/twilio?tenant=acme';
    const signature = signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(VECTOR.raw));
    const response = await post(proxied, path, VECTOR.raw, signature);
    expect(response.statusCode).toBe(200);
    expect(response.contentType).toMatch(/^text\/xml/);
    expect(response.body).toBe(EMPTY_TWIML);
    expect(await receiptRows('SM0123456789abcdef0123456789abcdef')).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'read', message_id: null }),
    ]);
  });

  it('answers 403 and stores nothing for a tampered form, a signature over the local URL, a missing header or an unknown account', async () => {
    const path = '/webhooks/twilio?tenant=acme';
    const params = parseForm(VECTOR.raw);
    const publicSignature = signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, params);
    const tampered = VECTOR.raw.replace('MessageSid=SM0123456789abcdef0123456789abcdef', 'MessageSid=SMffffffffffffffffffffffffffffffff');
    const unknownAccount = VECTOR.raw.replace('AccountSid=AC0123456789abcdef0123456789abcdef', `AccountSid=AC${'9'.repeat(32)}`);
    const responses = await Promise.all([
      post(proxied, path, tampered, publicSignature),
      post(proxied, path, VECTOR.raw, signTwilioRequest(VECTOR.authToken, `${localUrl(proxied)}${path}`, params)),
      post(proxied, path, VECTOR.raw),
      post(proxied, path, unknownAccount, signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(unknownAccount))),
      post(proxied, path, VECTOR.raw, signTwilioRequest('another_token', `${PROXIED_BASE_URL}${path}`, params)),
    ]);
    expect(responses.map((response) => response.statusCode)).toEqual([403, 403, 403, 403, 403]);
    expect(JSON.parse(responses[0]?.body ?? '')).toEqual({ error: 'invalid or missing X-Twilio-Signature, or unknown AccountSid' });
    expect(await receiptRows('SMffffffffffffffffffffffffffffffff')).toEqual([]);
  });

  it('answers 400 for an AccountSid that is no Twilio account SID (a NUL in it), before any lookup', async () => {
    const path = '/webhooks/twilio';
    const hostile = VECTOR.raw.replace('AccountSid=AC0123456789abcdef0123456789abcdef', 'AccountSid=AC0123%00');
    const response = await post(proxied, path, hostile, signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(hostile)));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'AccountSid is not a Twilio account SID (AC followed by 32 hex digits)' });
  });

  it("refuses (403, nothing stored, no signal) a callback signed by one location's account that names another location's message by ref", async () => {
    const workflow = await openWorkflow(); // a loc-twilio message; the form below is signed by loc-vector's account
    const raw = VECTOR.raw.replaceAll('SM0123456789abcdef0123456789abcdef', `SM${'a'.repeat(32)}`);
    const path = `/webhooks/twilio?ref=${encodeURIComponent(workflow.workflowId)}`;
    const response = await post(proxied, path, raw, signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(raw)));
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ error: 'the status callback names a message of a location whose credentials did not sign it' });
    expect(await receiptRows(`SM${'a'.repeat(32)}`)).toEqual([]);
    expect(await receiptSignals(workflow)).toEqual([]);
  });

  it("refuses a callback signed with one location's own token that names another location's MessageSid (no ref): B's message stays where it was", async () => {
    const workflow = await openWorkflow(); // loc-twilio's message, sent as this MessageSid
    const messageSid = `SM${'b'.repeat(32)}`;
    await database.db
      .insertInto('messages')
      .values({ id: workflow.workflowId, location_id: 'loc-twilio', contact_id: 'c-1', highlevel_message_id: workflow.workflowId.split(':')[2] ?? '', provider: 'twilio', provider_message_id: messageSid, status: 'sent' })
      .execute();
    const raw = VECTOR.raw.replaceAll('SM0123456789abcdef0123456789abcdef', messageSid); // AccountSid and signature: loc-vector's own
    const path = '/webhooks/twilio';
    const forged = await post(proxied, path, raw, signTwilioRequest(VECTOR.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(raw)));
    expect(forged.statusCode).toBe(403);
    expect(await receiptRows(messageSid)).toEqual([]);
    expect(await receiptSignals(workflow)).toEqual([]);
    const ledger = await database.db.selectFrom('messages').select('status').where('id', '=', workflow.workflowId).executeTakeFirstOrThrow();
    expect(ledger.status).toBe('sent');

    // The owner's own callback for the same message is accepted and reaches the workflow.
    const own = raw.replace('AccountSid=AC0123456789abcdef0123456789abcdef', `AccountSid=${ACCOUNT.accountSid}`);
    const accepted = await post(proxied, path, own, signTwilioRequest(ACCOUNT.authToken, `${PROXIED_BASE_URL}${path}`, parseForm(own)));
    expect(accepted.statusCode).toBe(200);
    expect(await receiptRows(messageSid)).toEqual([expect.objectContaining({ status: 'read', message_id: workflow.workflowId })]);
    expect(await receiptSignals(workflow)).toEqual([
      expect.objectContaining({ providerMessageId: messageSid, status: 'read' }),
    ]);
  });

  it('answers 503 (Twilio retries) when the database is down', async () => {
    const unreachable = createDb('postgres://postgres@127.0.0.1:1/none', 1);
    const down = buildApp({ config, db: unreachable, temporal, box });
    await down.listen({ host: '127.0.0.1', port: 0 });
    try {
      const response = await post(down, '/webhooks/twilio', VECTOR.raw, VECTOR.signature);
      expect(response.statusCode).toBe(503);
    } finally {
      await down.close();
      await unreachable.destroy();
    }
  });
});

describe('POST /webhooks/twilio: status callbacks from the Twilio simulator', () => {
  it('routes an SMS receipt to its workflow as an sms receipt, and answers empty TwiML', async () => {
    const workflow = await openWorkflow();
    const { providerMessageId } = await twilio().sendSms('+16505550101', 'Reminder: 3pm', [], workflow.workflowId);

    const deliveries = await waitFor(() => (deliveriesOf(providerMessageId).length === 2 ? deliveriesOf(providerMessageId) : undefined));
    expect(deliveries.map((delivery) => [delivery.params.MessageStatus, delivery.statusCode, delivery.responseContentType, delivery.responseBody])).toEqual([
      ['sent', 200, 'text/xml', EMPTY_TWIML],
      ['delivered', 200, 'text/xml', EMPTY_TWIML],
    ]);
    expect((await receiptRows(providerMessageId)).map((row) => [row.provider, row.status, row.message_id])).toEqual([
      ['twilio', 'sent', workflow.workflowId],
      ['twilio', 'delivered', workflow.workflowId],
    ]);
    // `sent` is stored, not signalled: it changes nothing the workflow acts on.
    expect(await receiptSignals(workflow)).toEqual([{ channel: 'sms', providerMessageId, status: 'delivered', occurredAt: expect.any(String) }]);
  });

  it('routes a WhatsApp failure with its error code, mapping undelivered to failed', async () => {
    const workflow = await openWorkflow();
    sim.scriptCallbacks('+16505550102', [{ status: 'undelivered', errorCode: 63016 }]);
    const { providerMessageId } = await twilio().send('+16505550102', { kind: 'text', body: 'Hello again', previewUrl: false }, workflow.workflowId);

    await waitFor(() => deliveriesOf(providerMessageId).length === 1);
    expect(deliveriesOf(providerMessageId)[0]).toMatchObject({ statusCode: 200, params: { MessageStatus: 'undelivered', ErrorCode: '63016' } });
    const [row] = await receiptRows(providerMessageId);
    expect(row).toMatchObject({ provider: 'twilio', status: 'failed', message_id: workflow.workflowId });
    expect(row?.payload).toMatchObject({ channel: 'whatsapp', error: { code: 63016 } });
    expect(await receiptSignals(workflow)).toEqual([
      {
        channel: 'whatsapp',
        providerMessageId,
        status: 'failed',
        occurredAt: expect.any(String),
        error: { code: 63016, errorClass: 'needs_template', reason: expect.stringMatching(/^Twilio error 63016: /) },
      },
    ]);
  });

  it('stores a duplicated callback once and answers every copy with 200', async () => {
    const workflow = await openWorkflow();
    sim.scriptCallbacks('+16505550103', [{ status: 'sent' }, { status: 'delivered', duplicate: true }]);
    const { providerMessageId } = await twilio().sendSms('+16505550103', 'Twice?', [], workflow.workflowId);

    await waitFor(() => deliveriesOf(providerMessageId).length === 3);
    expect(deliveriesOf(providerMessageId).map((delivery) => delivery.statusCode)).toEqual([200, 200, 200]);
    expect((await receiptRows(providerMessageId)).map((row) => row.status)).toEqual(['sent', 'delivered']);
    // Re-signalled on purpose (a redelivery after a 503 must still arrive); the workflow keeps the best status.
    expect((await receiptSignals(workflow)).map((signal) => signal.status)).toEqual(['delivered', 'delivered']);
  });

  it('acknowledges queued/sending callbacks without storing or signalling them', async () => {
    const workflow = await openWorkflow();
    sim.scriptCallbacks('+16505550104', []);
    const { providerMessageId } = await twilio().sendSms('+16505550104', 'Quiet', [], workflow.workflowId);
    const delivery = await sim.emitStatusCallback(providerMessageId, 'sending');
    expect(delivery).toMatchObject({ statusCode: 200, responseBody: EMPTY_TWIML });
    expect(await receiptRows(providerMessageId)).toEqual([]);
    expect(await receiptSignals(workflow)).toEqual([]);
  });
});

describe('POST /webhooks/twilio: incoming messages', () => {
  it('answers an incoming WhatsApp message with empty TwiML, opens the 24-hour window and starts its inbound workflow', async () => {
    const delivery = await sim.emitInbound(`${apiUrl}/webhooks/twilio`, { from: '+16505550105', to: WHATSAPP_FROM, body: 'Yes, see you then' });
    expect(delivery).toMatchObject({ statusCode: 200, responseContentType: 'text/xml', responseBody: EMPTY_TWIML });
    expect(await lastInboundAt(database.db, 'loc-twilio', '+16505550105')).toBeInstanceOf(Date);
    const inbound = temporal.workflow.getHandle(inboundWorkflowId('twilio', delivery.messageSid));
    workflows.push(inbound);
    expect(await inbound.describe()).toMatchObject({ type: 'receiveInbound', status: { name: 'RUNNING' } });
  });

  it('answers 503 while Temporal is down, so that Twilio retries; the retry is accepted once Temporal is back', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
    const downConfig = { ...config };
    const down = buildApp({ config: downConfig, db: database.db, temporal: new Client({ connection }), box });
    try {
      downConfig.PUBLIC_BASE_URL = await listenOnFreePort(down);
      const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
      const form = { MessageSid: sid, SmsMessageSid: sid, AccountSid: ACCOUNT.accountSid, From: 'whatsapp:+16505550108', To: `whatsapp:${WHATSAPP_FROM}`, Body: 'Still on for 3?', NumMedia: '0', SmsStatus: 'received', WaId: '16505550108' };
      const raw = new URLSearchParams(form).toString();
      const signedFor = (base: string) => signTwilioRequest(ACCOUNT.authToken, `${base}/webhooks/twilio`, form);
      expect(await post(down, '/webhooks/twilio', raw, signedFor(downConfig.PUBLIC_BASE_URL))).toMatchObject({ statusCode: 503 });
      expect(await database.db.selectFrom('inbound_messages').selectAll().where('provider_message_id', '=', sid).execute()).toEqual([]);

      // Twilio's retry of the same message, reaching the service once it is healthy again.
      expect(await post(api, '/webhooks/twilio', raw, signedFor(apiUrl))).toMatchObject({ statusCode: 200, body: EMPTY_TWIML });
      const inbound = temporal.workflow.getHandle(inboundWorkflowId('twilio', sid));
      workflows.push(inbound);
      expect(await inbound.describe()).toMatchObject({ status: { name: 'RUNNING' } });
    } finally {
      await down.close();
      await connection.close().catch(() => undefined);
    }
  });

  it('answers an incoming SMS with empty TwiML and opens no WhatsApp window', async () => {
    const delivery = await sim.emitInbound(`${apiUrl}/webhooks/twilio`, { from: '+16505550106', to: SMS_FROM, body: 'ok', channel: 'sms' });
    expect(delivery).toMatchObject({ statusCode: 200, responseBody: EMPTY_TWIML });
    expect(await lastInboundAt(database.db, 'loc-twilio', '+16505550106')).toBeNull();
  });

  it('rejects an incoming message with a forged signature and records nothing', async () => {
    const delivery = await sim.emitInbound(`${apiUrl}/webhooks/twilio`, { from: '+16505550107', to: WHATSAPP_FROM, body: 'hi', signatureOverride: 'forged=' });
    expect(delivery.statusCode).toBe(403);
    expect(await lastInboundAt(database.db, 'loc-twilio', '+16505550107')).toBeNull();
  });
});
