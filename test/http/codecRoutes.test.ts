/**
 * Workflow-history privacy (issue 14): what the Temporal server keeps, and what anyone with the UI, the CLI or the
 * database sees, holds neither a phone number nor a message text; the api's /codec endpoint decodes it for ops
 * with the admin token, in the remote codec protocol the Web UI and `temporal --codec-endpoint` speak.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { ALL_SEARCH_ATTRIBUTES, deliverWorkflowId } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { deliveryOutcome } from '../support/expectations';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';

const run = promisify(execFile);

let h: Harness;
let cli: string;
beforeAll(async () => {
  h = await startHarness();
  cli = await ensureTemporalCli(() => undefined);
});
afterAll(async () => {
  await h?.stop();
});

const OUT_PHONE = '+15864609117';
const OUT_TEXT = 'Your crown fitting is confirmed for Thursday';
const IN_PHONE = '+15864609118';
const IN_TEXT = 'Can I bring my daughter along';

/** `temporal workflow show --output json`, as an operator without the codec would export it. */
async function exportHistory(workflowId: string, codec?: { endpoint: string; auth: string }): Promise<string> {
  const args = ['workflow', 'show', '-w', workflowId, '--address', process.env.TEST_TEMPORAL_ADDRESS as string, '--namespace', h.config.TEMPORAL_NAMESPACE, '--output', 'json'];
  if (codec) args.push('--codec-endpoint', codec.endpoint, '--codec-auth', codec.auth);
  const { stdout } = await run(cli, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** The export with every payload's metadata and data read as text (the CLI prints them base64). */
function readable(exported: string): string {
  const parts: string[] = [exported];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const { metadata, data } = value as { metadata?: Record<string, string>; data?: string };
    if (metadata && typeof metadata === 'object') {
      for (const entry of Object.values(metadata)) parts.push(Buffer.from(entry, 'base64').toString());
      if (typeof data === 'string') parts.push(Buffer.from(data, 'base64').toString());
    }
    for (const child of Object.values(value)) walk(child);
  };
  walk(JSON.parse(exported));
  return parts.join('\n');
}

/** Every encrypted payload of a history, as the server stores it (the client's fetchHistory does not decode). */
async function storedPayloads(workflowId: string): Promise<Payload[]> {
  const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
  const found: Payload[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (value instanceof Uint8Array) return;
    if ('metadata' in value && 'data' in value && (value as Payload).metadata?.encoding) found.push(value as Payload);
    else for (const child of Object.values(value)) walk(child);
  };
  walk(history);
  return found.filter((payload) => Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString() === 'binary/encrypted');
}

const asJson = (payloads: Payload[]) => ({
  payloads: payloads.map((payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  })),
});

const textOf = (body: { payloads: Array<{ data: string }> }) => body.payloads.map((payload) => Buffer.from(payload.data, 'base64').toString()).join('\n');

function codec(operation: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` }) {
  return fetch(`${h.apiUrl}/codec/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': h.config.TEMPORAL_NAMESPACE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let outboundId: string;
let inboundId: string;

describe('workflow histories hold no phone number and no message text', () => {
  it('an outbound delivery and an inbound reply, exported without the codec, show neither', async () => {
    await h.openWindow(h.location.id, OUT_PHONE);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone: OUT_PHONE, attachments: [], message: OUT_TEXT });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    outboundId = deliverWorkflowId(h.location.id, payload.messageId);
    expect(await deliveryOutcome(h.temporal, outboundId)).toMatchObject({ status: 'read' });
    // The message really went out with that number and text: the history was made of them.
    expect(h.meta.sentMessages.filter((message) => message.to === OUT_PHONE).map((message) => message.payload)).toEqual([
      expect.objectContaining({ text: expect.objectContaining({ body: OUT_TEXT }) }),
    ]);

    const delivery = await h.meta.emitInbound({ from: IN_PHONE, profileName: 'Ana', phoneNumberId: h.location.phoneNumberId, type: 'text', text: IN_TEXT });
    const wamid = inboundWamid(delivery);
    inboundId = inboundWorkflowId('meta', wamid);
    expect(await inboundOutcome(h, wamid)).toMatchObject({ status: 'delivered' });

    for (const [workflowId, phone, text] of [[outboundId, OUT_PHONE, OUT_TEXT], [inboundId, IN_PHONE, IN_TEXT]] as const) {
      const exported = readable(await exportHistory(workflowId));
      expect(exported).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'); // a real export, not an error message
      expect(exported).toContain('binary/encrypted');
      expect(exported).not.toContain(phone.slice(1)); // digits, with or without the +
      expect(exported).not.toContain(text);
    }
  });

  it("a failed delivery's failure messages are encrypted too; its type stays readable", async () => {
    const phone = '+15864609119';
    await h.openWindow(h.location.id, phone);
    h.meta.failNextSends(1, { httpStatus: 400, code: 131026 });
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message: OUT_TEXT });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const workflowId = deliverWorkflowId(h.location.id, payload.messageId);
    const outcome = await deliveryOutcome(h.temporal, workflowId); // through the codec: the reason reads in clear
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/\w{6,}/) });

    const exported = readable(await exportHistory(workflowId));
    expect(exported).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
    expect(exported).toContain('DeliveryFailed');
    expect(exported).toContain('Encoded failure');
    expect(exported).not.toContain(outcome.reason as string);
    expect(exported).not.toContain(phone.slice(1));
    expect(exported).not.toContain(OUT_TEXT);
    const decoded = readable(await exportHistory(workflowId, { endpoint: `${h.apiUrl}/codec`, auth: `Bearer ${ADMIN_TOKEN}` }));
    expect(decoded).toContain(outcome.reason as string);
  });

  it('search attributes stay readable and hold ids, never a number', async () => {
    const outbound = (await h.temporal.workflow.getHandle(outboundId).describe()).searchAttributes;
    expect(outbound).toMatchObject({ LocationId: [h.location.id], DeliveryStatus: ['read'], DeliveryChannel: ['whatsapp'] });
    const inbound = (await h.temporal.workflow.getHandle(inboundId).describe()).searchAttributes;
    expect(inbound).toMatchObject({ LocationId: [h.location.id], ContactId: [expect.any(String)] });
    const ours = [outbound, inbound].flatMap((attributes) => ALL_SEARCH_ATTRIBUTES.map((key) => JSON.stringify(attributes[key.name] ?? null)));
    for (const value of ours) {
      for (const phone of [OUT_PHONE, IN_PHONE]) expect(value).not.toContain(phone.slice(1));
    }
  });
});

describe('POST /codec/decode and /codec/encode (the Web UI remote codec)', () => {
  it('decodes the stored payloads for a caller with the admin token', async () => {
    const stored = await storedPayloads(outboundId);
    expect(stored.length).toBeGreaterThan(3);
    const response = await codec('decode', asJson(stored));
    expect(response.status).toBe(200);
    const decoded = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(decoded.payloads).toHaveLength(stored.length);
    expect(Buffer.from(decoded.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    expect(textOf(decoded)).toContain(OUT_TEXT);
    expect(textOf(decoded)).toContain(OUT_PHONE);
  });

  it('`temporal workflow show --codec-endpoint` with the token shows the history in clear', async () => {
    const exported = readable(await exportHistory(inboundId, { endpoint: `${h.apiUrl}/codec`, auth: `Bearer ${ADMIN_TOKEN}` }));
    expect(exported).toContain(IN_TEXT);
    expect(exported).toContain(IN_PHONE);
  });

  it('refuses without the token, with a wrong one, and for another namespace', async () => {
    const body = asJson((await storedPayloads(outboundId)).slice(0, 1));
    const missing = await codec('decode', body, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'admin token required (Authorization: Bearer, or a session from GET /codec/session)' });
    expect((await codec('decode', body, { authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await codec('encode', body, {})).status).toBe(401);
    const otherNamespace = await codec('decode', body, { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-namespace': 'someone-else' });
    expect(otherNamespace.status).toBe(403);
    expect(await otherNamespace.json()).toEqual({ error: `this codec serves namespace "${h.config.TEMPORAL_NAMESPACE}", not "someone-else"` });
  });

  it('answers 400 with the reason for a bad body or a payload it cannot decrypt', async () => {
    expect((await codec('decode', '{"payloads":')).status).toBe(400);
    expect((await codec('decode', { payloads: 'none' })).status).toBe(400);
    const [sealed] = await storedPayloads(outboundId);
    const data = Buffer.from(sealed?.data ?? new Uint8Array());
    data[data.length - 1] = (data[data.length - 1] as number) ^ 1;
    const tampered = await codec('decode', asJson([{ ...sealed, data }]));
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { error: string }).error).toMatch(/^cannot decode: encrypted payload \(key id "[^"]+"\) failed authentication/);
  });

  it('encodes what the UI sends (a signal typed in the UI) so that it decodes back', async () => {
    const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"a":1}').toString('base64') }] };
    const encoded = (await (await codec('encode', plain)).json()) as typeof plain;
    expect(Buffer.from(encoded.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
    const decoded = await (await codec('decode', encoded)).json();
    expect(decoded).toEqual(plain);
  });

  it("answers the UI's CORS preflight for the UI origin only, without a token", async () => {
    const uiOrigin = `http://127.0.0.1:${h.config.TEMPORAL_UI_PORT}`;
    const preflight = (origin: string) =>
      fetch(`${h.apiUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a browser opens a session with the admin token; the session cookie then decodes', async () => {
    const form = (token: string) =>
      fetch(`${h.apiUrl}/codec/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
    expect((await fetch(`${h.apiUrl}/codec/session`)).status).toBe(200);
    const refused = await form('not-the-token');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const opened = await form(ADMIN_TOKEN);
    expect(opened.status).toBe(200);
    const setCookie = opened.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ghlwa_codec=\d+\.[\w-]+; Path=\/codec; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const session = setCookie.split(';')[0] as string;

    const body = asJson(await storedPayloads(outboundId));
    const withSession = await codec('decode', body, { cookie: session });
    expect(withSession.status).toBe(200);
    expect(textOf((await withSession.json()) as { payloads: Array<{ data: string }> })).toContain(OUT_TEXT);
    const forged = `${session.slice(0, -1)}${session.endsWith('A') ? 'B' : 'A'}`; // the MAC's last character changed
    expect((await codec('decode', body, { cookie: forged })).status).toBe(401);
    expect((await codec('decode', body, { cookie: 'ghlwa_codec=1.abc' })).status).toBe(401);
  });
});
