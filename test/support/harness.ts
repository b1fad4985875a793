import crypto from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config';
import { createDb, type Db } from '../../src/db/database';
import { buildApp } from '../../src/http/app';
import { createActivityDeps } from '../../src/runtime';
import { SecretBox } from '../../src/security/secretBox';
import { recordInbound } from '../../src/store/conversationWindows';
import { upsertLocation } from '../../src/store/locations';
import { HighLevelTokenStore } from '../../src/providers/highlevel/tokenStore';
import { createWorker } from '../../src/worker';
import { clientWithCodec } from '../../src/temporal/connection';
import { payloadCodecFor } from '../../src/temporal/payloadCodec';
import { HighLevelDeliveryCaller, HighLevelSimulator, MetaSimulator, TwilioSimulator } from '@ghl-whatsapp/simulators';
import type { LocationSettings } from '../../src/domain/locationSettings';
import { DatabaseRelay } from './databaseRelay';
import { LossyProxy } from './lossyProxy';
import { createTestDatabase, type TestDatabase } from './testDatabase';

let runtimeInstalled = false;

/** Running activities get a short grace, then are abandoned: a teardown never waits on a retrying activity. */
const WORKER_SHUTDOWN = { shutdownGraceTime: '2s', shutdownForceTime: '10s' } as const;
const STOP_STEP_BOUND_MS = 20_000;

function withinBound<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`teardown step "${name}" still running after ${ms} ms`)), ms);
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

/** Stops a worker; a worker that had to abandon activities (GracefulShutdownPeriodExpiredError) is stopped too. */
async function stopWorker(worker: Worker | undefined, running: Promise<void>): Promise<void> {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running.catch((error: unknown) => {
    if ((error as Error)?.name !== 'GracefulShutdownPeriodExpiredError') throw error;
  });
}

/** Quiet worker logs in tests; failures still surface through assertions. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this worker process
  }
}

export const META_APP_SECRET = 'test-app-secret';
export const WHATSAPP_VERIFY_TOKEN = 'test-verify-token';
export const ADMIN_TOKEN = 'test-admin-token';

export interface TestLocation {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  /** The business's WhatsApp number on Twilio and its SMS number. */
  twilioWhatsAppFrom: string;
  smsFrom: string;
}

export type WhatsAppBackend = 'cloud' | 'twilio';

/** The real product (API + worker) wired to real Temporal, a fresh PostgreSQL database and the simulators. */
export interface Harness {
  config: Config;
  db: Db;
  temporal: Client;
  /** Undefined with `apiUrl`: the api runs elsewhere. */
  api?: FastifyInstance;
  apiUrl: string;
  highLevel: HighLevelSimulator;
  meta: MetaSimulator;
  twilio: TwilioSimulator;
  caller: HighLevelDeliveryCaller;
  location: TestLocation;
  proxies?: { meta: LossyProxy; twilio: LossyProxy };
  databaseRelay?: DatabaseRelay;
  /** The environment a separate worker process needs to join this harness (same database, queue, simulators). */
  workerEnv: Record<string, string>;
  addLocation(settings?: LocationSettings, backend?: WhatsAppBackend): Promise<TestLocation>;
  /** Stops the worker and starts a new one on the same task queue (a crash and restart). */
  restartWorker(): Promise<void>;
  openWindow(locationId: string, phoneE164: string, at?: Date): Promise<void>;
  deliveryUrl: string;
  stop(): Promise<void>;
}

export async function startHarness(
  options: {
    settings?: LocationSettings;
    statusDownstreamDelayMs?: number;
    backend?: WhatsAppBackend;
    highLevelRateLimit?: false;
    env?: Record<string, string>;
    /** Put LossyProxy instances in front of the Meta and Twilio APIs (h.proxies). */
    lossy?: true;
    /** No worker in this process: the test runs its own (e.g. a child process it can kill). */
    inProcessWorker?: false;
    /** The api and the worker reach PostgreSQL through a relay the test can cut and resume (h.databaseRelay). */
    databaseRelay?: true;
    /** Where the in-process api writes its log (at the LOG_LEVEL of `env`). */
    apiLogStream?: NodeJS.WritableStream;
    /** Another Temporal than the run's dev server (test/scaleout: a real cluster). */
    temporalAddress?: string;
    /** No api in this process: the test runs its own behind this URL (test/scaleout: a balancer before api processes). */
    apiUrl?: string;
  } = {},
): Promise<Harness> {
  installQuietRuntime();
  const database: TestDatabase = await createTestDatabase();
  const highLevel = await HighLevelSimulator.start({
    statusDownstreamDelayMs: options.statusDownstreamDelayMs ?? 300,
    ...(options.highLevelRateLimit === false ? { rateLimit: false as const } : {}),
  });
  const meta = await MetaSimulator.start({ appSecret: META_APP_SECRET, receiptDelayMs: 20, autoRead: true });
  const twilio = await TwilioSimulator.start({ callbackDelayMs: 20, autoRead: true });
  // Pass-through proxies in front of the providers' APIs, which a test can make lose answers.
  const proxies = options.lossy ? { meta: await LossyProxy.start(meta.baseUrl), twilio: await LossyProxy.start(twilio.baseUrl) } : undefined;
  const caller = new HighLevelDeliveryCaller({ simulator: highLevel });
  const databaseRelay = options.databaseRelay ? await DatabaseRelay.start(database.url) : undefined;
  // What the api and the worker use; the test's own reads and writes (h.db) go direct.
  const productDb = databaseRelay ? createDb(databaseRelay.url, 5) : database.db;
  const taskQueue = `test-${crypto.randomBytes(4).toString('hex')}`;
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseRelay?.url ?? database.url,
    TEMPORAL_ADDRESS: options.temporalAddress ?? process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPLATE_SYNC_SCHEDULE_ID: `template-sync-${taskQueue}`,
    HIGHLEVEL_API_BASE_URL: highLevel.baseUrl,
    HIGHLEVEL_WEBHOOK_PUBLIC_KEY: caller.publicKeyPem,
    WHATSAPP_GRAPH_BASE_URL: proxies?.meta.baseUrl ?? meta.baseUrl,
    TWILIO_API_BASE_URL: proxies?.twilio.baseUrl ?? twilio.baseUrl,
    SEND_RECONCILE_WAIT_SECONDS: '20',
    META_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN,
    ADMIN_TOKEN,
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    // Every test runs with encrypted workflow payloads, as production does.
    PAYLOAD_KEYS: `${taskQueue}:${crypto.randomBytes(32).toString('base64')}`,
    RECEIPT_TIMEOUT_SECONDS: '5',
    LATE_RECEIPT_WINDOW_SECONDS: '8',
    // Extra settings for one test file (e.g. the OAuth client of the install flow).
    ...options.env,
  };
  const config = loadConfig(env);
  const box = new SecretBox(config.ENCRYPTION_KEY as string);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS as string });
  const payloadCodec = payloadCodecFor(config);
  const temporal = clientWithCodec(connection, config.TEMPORAL_NAMESPACE, payloadCodec);
  const api = options.apiUrl ? undefined : buildApp({ config, db: productDb, temporal, box }, options.apiLogStream ? { logStream: options.apiLogStream } : {});
  await api?.listen({ host: '127.0.0.1', port: 0 });
  const address = api?.server.address();
  const apiUrl = options.apiUrl ?? `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  meta.setWebhookUrl(`${apiUrl}/webhooks/whatsapp`);
  // Twilio signs callbacks over the public URL, which is the API's loopback address here.
  (config as { PUBLIC_BASE_URL: string }).PUBLIC_BASE_URL = apiUrl;

  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS as string });
  const newWorker = () =>
    createWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      activityDeps: createActivityDeps(config, productDb, box),
      payloadCodec,
      workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
      shutdown: WORKER_SHUTDOWN,
    });
  let worker: Worker | undefined = options.inProcessWorker === false ? undefined : await newWorker();
  let running = worker?.run() ?? Promise.resolve();

  const tokens = new HighLevelTokenStore(database.db, box, { baseUrl: highLevel.baseUrl });
  let locations = 0;
  const addLocation = async (settings: LocationSettings = options.settings ?? {}, backend: WhatsAppBackend = options.backend ?? 'cloud'): Promise<TestLocation> => {
    const suffix = crypto.randomBytes(5).toString('hex');
    locations += 1;
    const location: TestLocation = {
      id: `loc-${suffix}`,
      phoneNumberId: `pn-${suffix}`,
      wabaId: `waba-${suffix}`,
      accessToken: `wa-token-${suffix}`,
      twilioAccountSid: `AC${crypto.randomBytes(16).toString('hex')}`,
      twilioAuthToken: crypto.randomBytes(16).toString('hex'),
      twilioWhatsAppFrom: `+1555010${String(locations).padStart(4, '0')}`,
      smsFrom: `+1555020${String(locations).padStart(4, '0')}`,
    };
    meta.registerAccount({ accessToken: location.accessToken, wabaId: location.wabaId, phoneNumberId: location.phoneNumberId, displayPhoneNumber: '15550001111' });
    twilio.registerAccount({ accountSid: location.twilioAccountSid, authToken: location.twilioAuthToken });
    await upsertLocation(database.db, {
      id: location.id,
      whatsapp_backend: backend,
      whatsapp_phone_number_id: location.phoneNumberId,
      whatsapp_waba_id: location.wabaId,
      whatsapp_access_token_enc: box.encrypt(location.accessToken),
      twilio_account_sid: location.twilioAccountSid,
      twilio_auth_token_enc: box.encrypt(location.twilioAuthToken),
      twilio_whatsapp_from: location.twilioWhatsAppFrom,
      twilio_sms_from: location.smsFrom,
      settings,
    });
    const grant = highLevel.issueLocationToken(location.id);
    await tokens.store(location.id, { access_token: grant.access_token, refresh_token: grant.refresh_token, expires_in: grant.expires_in });
    return location;
  };
  const location = await addLocation();

  return {
    config,
    db: database.db,
    temporal,
    ...(api ? { api } : {}),
    apiUrl,
    highLevel,
    meta,
    twilio,
    caller,
    location,
    ...(proxies ? { proxies } : {}),
    ...(databaseRelay ? { databaseRelay } : {}),
    workerEnv: Object.fromEntries(Object.entries({ ...env, PUBLIC_BASE_URL: apiUrl }).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    addLocation,
    deliveryUrl: `${apiUrl}/webhooks/highlevel/delivery`,
    openWindow: (locationId, phoneE164, at = new Date()) => recordInbound(database.db, locationId, phoneE164, at),
    async restartWorker() {
      await stopWorker(worker, running);
      worker = await newWorker();
      running = worker.run();
    },
    async stop() {
      // Every step runs even when an earlier one fails, and none can wait forever: the database is always dropped.
      // The client connection is left open: a request handler that outlived the api's close may still be retrying
      // through it, and a closed channel makes that retry throw from a gRPC timer. It ends with the test process.
      const steps: Record<string, () => Promise<unknown>> = {
        worker: () => stopWorker(worker, running),
        workerConnection: () => nativeConnection.close(),
        // The simulators stop sending webhooks first; then the api lets the requests in flight finish (their Temporal
        // calls must not outlive the client connection) and closes each keep-alive socket as soon as it is idle,
        // instead of waiting out the idle timeout.
        meta: () => meta.stop(),
        twilio: () => twilio.stop(),
        highLevel: () => highLevel.stop(),
        proxies: async () => {
          await proxies?.meta.stop();
          await proxies?.twilio.stop();
        },
        api: async () => {
          if (!api) return;
          const closing = api.close();
          const sweep = setInterval(() => api.server.closeIdleConnections(), 20);
          api.server.closeIdleConnections();
          try {
            // A handler still signalling a workflow gets its Temporal deadline (10 s); then every socket goes.
            await withinBound(closing, 12_000, 'api requests in flight').catch(() => api.server.closeAllConnections());
            await closing;
          } finally {
            clearInterval(sweep);
          }
        },
        database: async () => {
          await databaseRelay?.resume();
          if (productDb !== database.db) await productDb.destroy();
          await databaseRelay?.cut();
          await database.drop();
        },
      };
      const failures: unknown[] = [];
      for (const [name, step] of Object.entries(steps)) {
        await withinBound(step(), STOP_STEP_BOUND_MS, name).catch((error: unknown) => failures.push(error));
      }
      if (failures.length > 0) throw new AggregateError(failures, 'harness teardown');
    },
  };
}
