import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import * as receiptsByMessage from '../../src/db/migrations/0006_receipts_by_message';
import { attemptOutcomeOf, decideSendReconciliation } from '../../src/domain/sendReconciliation';
import { isNetworkError } from '../../src/providers/http';
import { CloudApiClient } from '../../src/providers/meta/cloudApiClient';
import { parseMetaReceipts, type MetaWebhookPayload } from '../../src/providers/meta/webhookParser';
import { parseForm } from '../../src/providers/twilio/signature';
import { TwilioMessagingClient } from '../../src/providers/twilio/messagingClient';
import { parseTwilioWebhook } from '../../src/providers/twilio/webhookParser';
import type { ReceiptEvent } from '../../src/providers/messagingPort';
import { MetaSimulator, type MetaAccount, TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';
import { findReceiptEvidence, providerMessageIdsClaimedElsewhere, storeReceipt } from '../../src/store/receipts';
import { LossyProxy } from '../support/lossyProxy';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { failureOf, waitFor } from '../support/waitFor';

/**
 * The evidence a reconciliation reads after a send whose answer was lost: what the sender sees (the error), and the
 * receipts that still come back with our reference and land in provider_receipts, through the real simulators,
 * the product's webhook parsers and PostgreSQL. (The receiver below stores receipts the way src/http/receiptRouter.ts
 * does, without signalling a workflow.)
 */

const META: MetaAccount = { accessToken: 'EAAG-evidence', wabaId: '102290129340777', phoneNumberId: '106540352242777', displayPhoneNumber: '+1 555-078-3777' };
const TWILIO: TwilioAccount = { accountSid: 'AC' + '7'.repeat(32), authToken: 'evidence_token' };

let database: TestDatabase;
let receiver: { origin: string; close(): Promise<void> };
let meta: MetaSimulator;
let twilio: TwilioSimulator;
let metaProxy: LossyProxy;
let twilioProxy: LossyProxy;

/** Stores every receipt it is sent, with message_id = the reference the provider echoed (as receiptRouter does). */
async function startReceiptStore(db: TestDatabase['db']) {
  const store = (receipt: ReceiptEvent & { channel?: string }) =>
    storeReceipt(db, {
      provider: receipt.provider,
      providerMessageId: receipt.providerMessageId,
      status: receipt.status,
      messageId: receipt.reference ?? null,
      payload: { ...receipt },
    });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://receiver');
      if (url.pathname === '/webhooks/whatsapp') {
        for (const receipt of parseMetaReceipts(JSON.parse(raw) as MetaWebhookPayload)) await store(receipt);
      } else if (url.pathname === '/webhooks/twilio') {
        const event = parseTwilioWebhook(parseForm(raw), url.searchParams.get('ref') ?? undefined);
        if (event.kind === 'receipt') await store(event.receipt);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startReceiptStore(database.db);
  meta = await MetaSimulator.start({ appSecret: 'evidence_secret', webhookUrl: `${receiver.origin}/webhooks/whatsapp`, accounts: [META], receiptDelayMs: 10 });
  twilio = await TwilioSimulator.start({ accounts: [TWILIO], callbackDelayMs: 10 });
  metaProxy = await LossyProxy.start(meta.baseUrl);
  twilioProxy = await LossyProxy.start(twilio.baseUrl);
});
afterAll(async () => {
  await metaProxy?.stop();
  await twilioProxy?.stop();
  await meta?.stop();
  await twilio?.stop();
  await receiver?.close();
  await database?.drop();
});


describe('a Cloud API send whose answer is lost', () => {
  it('throws a network error (SocketError UND_ERR_SOCKET), while Meta has the message and its receipts carry our reference', async () => {
    const reference = 'deliver:loc-meta:hl-1';
    const client = new CloudApiClient(metaProxy.baseUrl, { phoneNumberId: META.phoneNumberId, accessToken: META.accessToken });
    metaProxy.dropResponses({ method: 'POST', path: `/v23.0/${META.phoneNumberId}/messages` });

    const lost = await failureOf(client.send('+16505551234', { kind: 'text', body: 'See you at 3pm', previewUrl: false }, reference));

    // What reaches the activity today: not a ProviderSendError, so it is rethrown as is and Temporal retries the send.
    expect(lost).toMatchObject({ name: 'SocketError', code: 'UND_ERR_SOCKET' });
    expect(isNetworkError(lost)).toBe(true);
    expect(attemptOutcomeOf(lost)).toBe('unknown');
    expect(meta.sentMessages).toHaveLength(1);
    const wamid = meta.sentMessages[0]?.wamid;

    const evidence = await waitFor(async () => {
      const found = await findReceiptEvidence(database.db, reference);
      return found.length > 0 && found[0]?.statuses.includes('delivered') ? found : undefined;
    });
    expect(evidence).toEqual([
      { provider: 'meta', providerMessageId: wamid, channel: 'whatsapp', statuses: ['sent', 'delivered'], firstReceivedAt: expect.any(Date) },
    ]);
    expect(decideSendReconciliation({ attempt: 2, receiptIds: evidence.map((item) => item.providerMessageId), waitedMs: 0, waitBoundMs: 60_000 })).toEqual({
      action: 'adopt',
      providerMessageId: wamid,
      source: 'receipt',
      otherIds: [],
    });
  });
});

describe('a Twilio send whose answer is lost', () => {
  it('leaves two kinds of evidence: status callbacks with our ref (per channel), and the message in the Messages list', async () => {
    const reference = 'deliver:loc-twilio:hl-2';
    const client = new TwilioMessagingClient({
      apiBaseUrl: twilioProxy.baseUrl,
      publicBaseUrl: receiver.origin,
      credentials: TWILIO,
      senders: { whatsAppFrom: '+14155238886', smsFrom: '+15017122661' },
    });
    const attemptStartedAt = new Date();
    twilioProxy.dropResponses({ method: 'POST', path: `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json` }, 2);

    const lostWhatsApp = await failureOf(client.send('+16505550101', { kind: 'text', body: 'Hi there', previewUrl: false }, reference));
    const lostSms = await failureOf(client.sendSms('+16505550101', 'Hi there (SMS)', [], reference));
    expect([lostWhatsApp.code, lostSms.code]).toEqual(['UND_ERR_SOCKET', 'UND_ERR_SOCKET']);
    const [whatsAppSid, smsSid] = twilio.messages.map((message) => message.sid);

    const whatsApp = await waitFor(async () => (await findReceiptEvidence(database.db, reference, { provider: 'twilio', channel: 'whatsapp' }))[0]);
    const sms = await waitFor(async () => (await findReceiptEvidence(database.db, reference, { provider: 'twilio', channel: 'sms' }))[0]);
    expect(whatsApp).toMatchObject({ providerMessageId: whatsAppSid, channel: 'whatsapp' });
    expect(sms).toMatchObject({ providerMessageId: smsSid, channel: 'sms' });
    expect((await client.findSentWhatsApp('+16505550101', { kind: 'text', body: 'Hi there', previewUrl: false }, { attemptStartedAt }))?.sid).toBe(whatsAppSid);
    expect((await client.findSentSms('+16505550101', 'Hi there (SMS)', [], { attemptStartedAt }))?.sid).toBe(smsSid);
  });
});

describe('findReceiptEvidence / providerMessageIdsClaimedElsewhere', () => {
  const receipt = (providerMessageId: string, status: string, messageId: string | null, extra: Record<string, unknown> = {}, provider = 'twilio') =>
    storeReceipt(database.db, { provider, providerMessageId, status, messageId, payload: { providerMessageId, status, ...extra } });

  it('groups receipts per provider message, statuses in arrival order, earliest first, filtered by provider and channel', async () => {
    const messageId = 'deliver:loc-x:hl-3';
    await receipt('SMb', 'sent', messageId, { channel: 'sms' });
    await receipt('wamid.a', 'delivered', messageId, {}, 'meta');
    await receipt('SMb', 'failed', messageId, { channel: 'sms' });
    await receipt('wamid.a', 'sent', messageId, {}, 'meta'); // arrived after delivered: kept in arrival order
    await receipt('SMc', 'sent', 'deliver:loc-x:other', { channel: 'sms' });
    await receipt('SMd', 'sent', null, { channel: 'sms' });

    const all = await findReceiptEvidence(database.db, messageId);
    expect(all.map(({ provider, providerMessageId, channel, statuses }) => ({ provider, providerMessageId, channel, statuses }))).toEqual([
      { provider: 'twilio', providerMessageId: 'SMb', channel: 'sms', statuses: ['sent', 'failed'] },
      { provider: 'meta', providerMessageId: 'wamid.a', channel: 'whatsapp', statuses: ['delivered', 'sent'] },
    ]);
    expect(all[0]!.firstReceivedAt.getTime()).toBeLessThanOrEqual(all[1]!.firstReceivedAt.getTime());
    expect((await findReceiptEvidence(database.db, messageId, { provider: 'meta' })).map((item) => item.providerMessageId)).toEqual(['wamid.a']);
    expect((await findReceiptEvidence(database.db, messageId, { channel: 'whatsapp' })).map((item) => item.providerMessageId)).toEqual(['wamid.a']);
    expect((await findReceiptEvidence(database.db, messageId, { provider: 'twilio', channel: 'whatsapp' }))).toEqual([]);
    expect(await findReceiptEvidence(database.db, 'deliver:loc-x:nothing')).toEqual([]);
  });

  it("names the ids another message already owns, by receipt reference or by the ledger, never the message's own", async () => {
    const messageId = 'deliver:loc-y:hl-4';
    await receipt('SMown', 'sent', messageId);
    await receipt('SMtheirs', 'sent', 'deliver:loc-y:hl-5');
    await receipt('SMunmatched', 'sent', null);
    await database.db
      .insertInto('messages')
      .values({ id: 'deliver:loc-y:hl-6', location_id: 'loc-y', contact_id: 'c1', highlevel_message_id: 'hl-6', status: 'sent', provider: 'twilio', provider_message_id: 'SMledger' })
      .execute();
    await database.db
      .insertInto('messages')
      .values({ id: messageId, location_id: 'loc-y', contact_id: 'c1', highlevel_message_id: 'hl-4', status: 'sent', provider: 'twilio', provider_message_id: 'SMown' })
      .execute();

    const claimed = await providerMessageIdsClaimedElsewhere(database.db, messageId, 'twilio', ['SMown', 'SMtheirs', 'SMunmatched', 'SMledger', 'SMnew']);
    expect([...claimed].sort()).toEqual(['SMledger', 'SMtheirs']);
    expect(await providerMessageIdsClaimedElsewhere(database.db, messageId, 'meta', ['SMtheirs'])).toEqual(new Set());
    expect(await providerMessageIdsClaimedElsewhere(database.db, messageId, 'twilio', [])).toEqual(new Set());
  });

  it('migration 0006 adds a partial index the lookup by reference uses', async () => {
    const exists = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'provider_receipts_message'`.execute(database.db)).rows[0]?.n === 1;
    if (!(await exists())) await receiptsByMessage.up(database.db as never);
    expect(await exists()).toBe(true);

    const plan = await database.db.connection().execute(async (connection) => {
      await sql`set enable_seqscan = off`.execute(connection);
      const explained = await sql<{ 'QUERY PLAN': string }>`explain select provider_message_id from provider_receipts where message_id = ${'deliver:loc-x:hl-3'}`.execute(connection);
      await sql`reset enable_seqscan`.execute(connection);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('provider_receipts_message');
  });
});
