import crypto from 'node:crypto';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { LocationSettings } from '../../src/domain/locationSettings';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { startRealTemporalServer, type RealTemporalServer } from '../../src/temporal/realServer';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome, expectPushedStatuses } from '../support/expectations';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { RoundRobinProxy } from '../support/roundRobinProxy';
import { testDatabasePrefix } from '../support/testDatabase';
import { freePort, waitFor } from '../support/waitFor';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * Scale-out mode: the product as an agency runs it past the embedded dev server. A real Temporal cluster (Temporal's
 * own server on PostgreSQL, schema by temporal-sql-tool, 8 history shards, SQL advanced visibility), two api
 * processes behind a load balancer and two worker processes (the product's own mains, src/api.ts and
 * src/worker.ts), against the simulators: delivery, inbound, SMS fallback, and a worker killed with SIGKILL mid-run.
 */
const API_MAIN = path.join(__dirname, '../../src/api.ts');
const WORKER_MAIN = path.join(__dirname, '../../src/worker.ts');
const DELIVERY_PATH = '/webhooks/highlevel/delivery';

let server: RealTemporalServer | undefined;
let balancer: RoundRobinProxy | undefined;
let h: Harness;
const apis: WorkerProcess[] = [];
const apiUrls: string[] = [];
const workers: Array<WorkerProcess | undefined> = [];

/** The product's worker main; at debug level the SDK says when it polls. */
async function startWorker(): Promise<WorkerProcess> {
  const env = { ...h.workerEnv, WORKER_METRICS_PORT: String(await freePort()), LOG_LEVEL: 'debug', WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE as string };
  return startWorkerProcess(env, { script: WORKER_MAIN, ready: /Worker state changed[^}]*RUNNING/ });
}

async function startApi(): Promise<void> {
  const port = await freePort();
  apis.push(await startWorkerProcess({ ...h.workerEnv, PORT: String(port), LOG_LEVEL: 'info' }, { script: API_MAIN, ready: /Server listening at/ }));
  apiUrls.push(`http://127.0.0.1:${port}`);
}

beforeAll(async () => {
  // The first run on a machine builds the server from the Go module proxy (minutes, progress on stderr); later runs reuse it.
  server = await startRealTemporalServer({
    databaseName: `${testDatabasePrefix()}temporal_${crypto.randomBytes(4).toString('hex')}`,
    ...(process.env.TEST_DATABASE_ADMIN_URL ? { postgresUrl: process.env.TEST_DATABASE_ADMIN_URL } : {}),
    numHistoryShards: 8,
    dropDatabasesOnStop: true,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  balancer = await RoundRobinProxy.start();
  h = await startHarness({ temporalAddress: server.address, apiUrl: balancer.url, inProcessWorker: false });
  await Promise.all([startApi(), startApi()]);
  balancer.setBackends(apiUrls);
  for (const url of apiUrls) await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { what: `${url}/readyz` });
  workers.push(await startWorker(), await startWorker());
}, 30 * 60_000);

afterAll(async () => {
  await Promise.all([...workers, ...apis].map((child) => child?.stop()));
  await h?.stop();
  await balancer?.stop();
  await server?.stop();
}, 120_000);

let counter = 0;
async function newMessage(location: TestLocation = h.location, options: { window?: boolean } = {}) {
  counter += 1;
  const phone = `+1586520${String(1000 + counter)}`;
  if (options.window !== false) await h.openWindow(location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, attachments: [] });
  return { phone, payload, workflowId: deliverWorkflowId(location.id, payload.messageId) };
}
type Message = Awaited<ReturnType<typeof newMessage>>;

const whatsAppTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const statusesFor = (messageId: string) => h.highLevel.statusUpdates.filter((update) => update.messageId === messageId).map((update) => update.status);

/** The distinct worker identities (pid@host) that picked up the workflow's tasks, in order. */
async function workflowTaskWorkers(workflowId: string): Promise<string[]> {
  const { events } = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
  return [...new Set((events ?? []).flatMap((event) => (event.workflowTaskStartedEventAttributes?.identity ? [event.workflowTaskStartedEventAttributes.identity] : [])))];
}

/** Every message read in HighLevel, sent on WhatsApp exactly once, its ledger row `read`. */
async function expectReadOnce(messages: Message[]): Promise<void> {
  for (const message of messages) {
    expect(await deliveryOutcome(h.temporal, message.workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(whatsAppTo(message.phone)).toHaveLength(1);
    expectPushedStatuses(statusesFor(message.payload.messageId), 'read');
    expect(await h.db.selectFrom('messages').select(['status', 'channel']).where('id', '=', message.workflowId).executeTakeFirstOrThrow()).toEqual({ status: 'read', channel: 'whatsapp' });
  }
}

describe('scale-out: a real Temporal cluster, two api and two worker processes', () => {
  it('runs on the cluster as configured: 8 history shards, the namespace and its search attributes', async () => {
    const admin = new PgClient({ connectionString: Object.assign(new URL(h.workerEnv.DATABASE_URL as string), { pathname: `/${server?.databases.main}` }).toString() });
    await admin.connect();
    try {
      expect((await admin.query<{ shards: string }>('select count(*) as shards from shards')).rows[0]).toEqual({ shards: '8' });
    } finally {
      await admin.end();
    }
    const { customAttributes } = await h.temporal.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['LocationId', 'HighLevelMessageId', 'DeliveryStatus', 'FallbackReason']));
  });

  it('delivers HighLevel → Delivery URL → WhatsApp → delivered/read back in HighLevel, through both api processes', async () => {
    const messages = await Promise.all(Array.from({ length: 6 }, () => newMessage()));
    const answers = await Promise.all(messages.map((message) => h.caller.send(h.deliveryUrl, message.payload)));
    expect(answers.map((answer) => answer.status)).toEqual(messages.map(() => 200));
    await expectReadOnce(messages);
    // Round robin: each api process took Delivery URL posts (and Meta's receipts).
    for (const url of apiUrls) expect(balancer?.count(url, DELIVERY_PATH)).toBeGreaterThan(0);
    // Advanced visibility on PostgreSQL answers the project's custom search attributes (it catches up asynchronously).
    const query = `LocationId = '${h.location.id}' AND DeliveryStatus = 'read' AND HighLevelMessageId = '${messages[0]?.payload.messageId}'`;
    const found = await waitFor(async () => (await h.temporal.workflow.count(query)).count, { what: 'the workflow by its search attributes' });
    expect(found).toBe(1);
  });

  it('brings a WhatsApp reply into the HighLevel conversation', async () => {
    const phone = '+15865209001';
    const delivery = await h.meta.emitInbound({ phoneNumberId: h.location.phoneNumberId, from: phone, profileName: 'Ana', type: 'text', text: 'Yes, see you then!' });
    expect(delivery.statusCode).toBe(200);
    const wamid = inboundWamid(delivery);
    expect(await inboundOutcome(h, wamid)).toMatchObject({ status: 'delivered' });
    expect(h.highLevel.inboundMessages.filter((message) => message.altId === wamid)).toEqual([
      expect.objectContaining({ message: 'Yes, see you then!', direction: 'inbound', locationId: h.location.id }),
    ]);
  });

  it('falls back to exactly one SMS when no WhatsApp receipt comes by the deadline (a timer on the cluster)', async () => {
    const settings: LocationSettings = { smsFallback: true, smsFallbackDeadlineSeconds: 2, receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 6 };
    const location = await h.addLocation(settings);
    const message = await newMessage(location);
    await appendConsent(h.db, { locationId: location.id, phoneE164: message.phone, status: 'opted_in', source: 'api_import' });
    h.meta.scriptReceipts(message.phone, []);
    expect((await h.caller.send(h.deliveryUrl, message.payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, message.workflowId)).toMatchObject({ status: 'delivered', channel: 'sms' });
    expect(whatsAppTo(message.phone)).toHaveLength(1);
    expect(h.twilio.messages.filter((sms) => sms.channel === 'sms' && sms.to === message.phone)).toEqual([expect.objectContaining({ from: location.smsFrom })]);
    expect(statusesFor(message.payload.messageId)).toEqual(['delivered']);
  });

  it('delivers every accepted message exactly once when a worker is killed (SIGKILL) mid-run and restarted', async () => {
    // Receipts far off: messages wait for theirs as long as the test needs, never for a timeout.
    const patient = await h.addLocation({ receiptTimeoutSeconds: 600, lateReceiptWindowSeconds: 600 });
    // Waiting: started while worker 0 is the only one, sent on WhatsApp, their receipts held back: all of them sit in
    // worker 0's cache when it dies.
    await workers[1]?.stop();
    const waiting = await Promise.all(Array.from({ length: 8 }, () => newMessage(patient)));
    for (const message of waiting) h.meta.scriptReceipts(message.phone, []);
    const accepted = await Promise.all(waiting.map((message) => h.caller.send(h.deliveryUrl, message.payload)));
    await waitFor(() => waiting.every((message) => whatsAppTo(message.phone).length === 1), { timeoutMs: 60_000, what: 'every waiting message sent' });
    workers[1] = await startWorker();

    // In flight: posted right before the kill, so their sends and workflow tasks are under way on either worker.
    const inFlight = await Promise.all(Array.from({ length: 8 }, () => newMessage(patient)));
    accepted.push(...(await Promise.all(inFlight.map((message) => h.caller.send(h.deliveryUrl, message.payload)))));
    await workers[0]?.kill();
    expect(workers[0]?.alive).toBe(false);
    expect(accepted.map((answer) => answer.status)).toEqual([...waiting, ...inFlight].map(() => 200));

    // The held receipts arrive while worker 0 is dead; then it comes back.
    for (const message of waiting) {
      const wamid = whatsAppTo(message.phone)[0]?.wamid as string;
      for (const status of ['delivered', 'read'] as const) expect((await h.meta.emitStatus(wamid, status)).statusCode).toBe(200);
    }
    workers[0] = await startWorker();
    const after = await Promise.all(Array.from({ length: 4 }, () => newMessage(patient)));
    for (const message of after) expect((await h.caller.send(h.deliveryUrl, message.payload)).status).toBe(200);

    await expectReadOnce([...waiting, ...inFlight, ...after]);
    // Each waiting message was begun by the killed worker and finished by another process.
    for (const message of waiting) expect(await workflowTaskWorkers(message.workflowId)).toHaveLength(2);
    expect(workers.every((worker) => worker?.alive)).toBe(true);
  }, 300_000);
});
