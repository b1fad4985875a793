import type { FastifyInstance } from 'fastify';
import { verifyMetaSignature } from '../../../src/providers/meta/signature';
import { MetaSimulator, type MetaAccount, type MetaSimulatorOptions, type WebhookPayload, createSimulatorApp, listenOnLoopback, type RecordedRequest } from '@ghl-whatsapp/simulators';

/**
 * Shared setup for the Meta simulator contract tests: real HTTP over loopback against the simulator,
 * webhooks into a real local receiver. Each test file calls useMetaSimulator() once at top level.
 * `receiver`, `webhookUrl` and `simulator` are live bindings: importers always see the current value.
 */

export const APP_SECRET = 'test_app_secret';
export const ACCOUNT: MetaAccount = {
  accessToken: 'EAAG-token-a',
  wabaId: '102290129340398',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '+1 555-078-3881',
};
export const OTHER_ACCOUNT: MetaAccount = {
  accessToken: 'EAAG-token-b',
  wabaId: '202290129340398',
  phoneNumberId: '206540352242922',
  displayPhoneNumber: '+15550002222',
};
export const USER = '+16505551234';
export const USER_DIGITS = '16505551234';

export interface ReceivedWebhook {
  rawBody: string;
  signature: string | undefined;
  payload: WebhookPayload;
}

// Response bodies are probed field by field; typing every Graph answer here would only repeat the assertions.
export type Json = Record<string, any>;

export let receiver: { app: FastifyInstance; requests: RecordedRequest[] };
export let webhookUrl: string;
export let simulator: MetaSimulator;

export async function startSimulator(overrides: Partial<MetaSimulatorOptions> = {}): Promise<MetaSimulator> {
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
export function receivedWebhooks(): ReceivedWebhook[] {
  return receiver.requests
    .filter((request) => request.path === '/webhook')
    .map((request) => {
      const signature = request.headers['x-hub-signature-256'] as string | undefined;
      expect(verifyMetaSignature(request.rawBody, signature, APP_SECRET)).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      return { rawBody: request.rawBody, signature, payload: JSON.parse(request.rawBody) as WebhookPayload };
    });
}

export const statusesOf = (webhooks: ReceivedWebhook[]) =>
  webhooks.flatMap((w) => w.payload.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? [])));


export async function graph(method: string, path: string, options: { token?: string | null; body?: unknown } = {}) {
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

export const send = (body: unknown, options: { token?: string | null; phoneNumberId?: string } = {}) =>
  graph('POST', `/${options.phoneNumberId ?? ACCOUNT.phoneNumberId}/messages`, { body, token: options.token });

export const textMessage = (overrides: Json = {}) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: USER,
  type: 'text',
  text: { preview_url: false, body: 'Hello from the test' },
  ...overrides,
});

export function expectGraphError(result: { status: number; body: Json }, httpStatus: number, code: number) {
  expect(result.status).toBe(httpStatus);
  expect(result.body.error).toMatchObject({ code, type: 'OAuthException', message: expect.stringMatching(new RegExp(`^\\(#${code}\\) `)) });
  expect(typeof result.body.error.fbtrace_id).toBe('string');
}

/** Registers the receiver and simulator lifecycle hooks; call once at the top level of a test file. */
export function useMetaSimulator(): void {
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
}

export { waitFor } from '../../../test/support/waitFor';
