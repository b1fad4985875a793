import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseForm, verifyTwilioSignature } from '../../../src/providers/twilio/signature';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';

/**
 * Shared setup for the Twilio simulator contract tests. Files call useTwilioSimulator() inside their
 * `describe('TwilioSimulator')`; `sim` and `receiver` are live bindings set by its beforeAll.
 */

export const ACCOUNT: TwilioAccount = { accountSid: 'AC' + '1'.repeat(32), authToken: 'primary_auth_token' };
export const OTHER_ACCOUNT: TwilioAccount = { accountSid: 'AC' + '2'.repeat(32), authToken: 'other_auth_token' };
export const BUSINESS = '+14155238886';
export const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** What the product's webhook endpoint saw. */
export interface ReceivedWebhook {
  path: string;
  params: Record<string, string | string[]>;
  signatureValid: boolean;
  downloadedMedia?: { status: number; contentType: string | null; bytes: Buffer };
}

/** A tiny stand-in for the product: verifies X-Twilio-Signature over the exact URL and answers like a real handler. */
export async function startReceiver(authTokens: string[]) {
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

export function basicAuth(account: TwilioAccount): string {
  return `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
}


export let sim: TwilioSimulator;
export let receiver: Awaited<ReturnType<typeof startReceiver>>;

/** Starts one simulator (both accounts) and the signature-checking receiver, stopped after the block. */
export function useTwilioSimulator(): void {
  beforeAll(async () => {
    sim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 20 });
    sim.registerAccount(OTHER_ACCOUNT);
    receiver = await startReceiver([ACCOUNT.authToken, OTHER_ACCOUNT.authToken]);
  });

  afterAll(async () => {
    await sim.stop();
    await receiver.close();
  });
}

export async function createMessage(form: Record<string, string | string[]>, account: TwilioAccount = ACCOUNT) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
  const response = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${account.accountSid}/Messages.json`, {
    method: 'POST',
    headers: { authorization: basicAuth(account), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export const callbacksFor = (sid: string) => receiver.received.filter((webhook) => webhook.params.MessageSid === sid);

export { waitFor } from '../../../test/support/waitFor';
