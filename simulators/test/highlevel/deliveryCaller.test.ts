import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyHighLevelSignature } from '../../../src/providers/highlevel/signature';
import { HighLevelDeliveryCaller, HighLevelSimulator } from '@ghl-whatsapp/simulators';
import { CONVERSATIONS, LOCATION, call } from './support';

/** HighLevelDeliveryCaller contract tests: signed outbound deliveries into a small local receiver. */

describe('HighLevelDeliveryCaller', () => {
  interface Received {
    rawBody: string;
    headers: http.IncomingHttpHeaders;
  }
  let server: http.Server;
  let deliveryUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ rawBody: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    deliveryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/highlevel/delivery`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("builds HighLevel's documented SMS example with a fresh messageId", () => {
    const first = HighLevelDeliveryCaller.examplePayload();
    const second = HighLevelDeliveryCaller.examplePayload({ message: 'hello', messageId: 'fixedId' });
    expect(first).toMatchObject({ contactId: 'GKBhT6BfwY9mjzXAU3sq', locationId: 'GKAWb4yu7A4LSc0skQ6g', type: 'SMS', phone: '+15864603685', userId: 'GK56r6wdJDrkUPd0xsmx' });
    expect(first.messageId).not.toBe(HighLevelDeliveryCaller.examplePayload().messageId);
    expect(second).toMatchObject({ message: 'hello', messageId: 'fixedId' });
  });

  it('signs the exact body with X-GHL-Signature; wrong, none and N/A do not verify', async () => {
    const caller = new HighLevelDeliveryCaller();
    const payload = HighLevelDeliveryCaller.examplePayload();

    const result = await caller.send(deliveryUrl, payload);
    expect(result).toEqual({ status: 200, body: { ok: true } });
    const valid = received.at(-1)!;
    expect(valid.rawBody).toBe(JSON.stringify(payload));
    expect(valid.headers['content-type']).toBe('application/json');
    const signature = valid.headers['x-ghl-signature'] as string;
    expect(verifyHighLevelSignature(Buffer.from(valid.rawBody), signature, caller.publicKeyPem)).toBe(true);
    expect(verifyHighLevelSignature(Buffer.from(valid.rawBody.replace('SMS', 'Sms')), signature, caller.publicKeyPem)).toBe(false);

    await caller.send(deliveryUrl, payload, { signature: 'wrong' });
    const wrong = received.at(-1)!;
    expect(wrong.headers['x-ghl-signature']).toEqual(expect.any(String));
    expect(verifyHighLevelSignature(Buffer.from(wrong.rawBody), wrong.headers['x-ghl-signature'] as string, caller.publicKeyPem)).toBe(false);

    await caller.send(deliveryUrl, payload, { signature: 'none' });
    expect(received.at(-1)!.headers['x-ghl-signature']).toBeUndefined();

    await caller.send(deliveryUrl, payload, { signature: 'N/A' });
    expect(received.at(-1)!.headers['x-ghl-signature']).toBe('N/A');
    expect(verifyHighLevelSignature(Buffer.from(received.at(-1)!.rawBody), 'N/A', caller.publicKeyPem)).toBe(false);
  });

  it('uses a given key pair and registers the message with the simulator before posting', async () => {
    const sim = await HighLevelSimulator.start({ rateLimit: false, statusDownstreamDelayMs: 60_000 });
    try {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const caller = new HighLevelDeliveryCaller({ privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), simulator: sim });
      expect(caller.publicKeyPem).toBe(publicKeyPem);
      const payload = HighLevelDeliveryCaller.examplePayload({ locationId: LOCATION });
      await caller.send(deliveryUrl, payload);
      const token = sim.issueLocationToken(LOCATION).access_token;
      const status = await call(sim.baseUrl, 'PUT', `/conversations/messages/${payload.messageId}/status`, { token, version: CONVERSATIONS, json: { status: 'delivered' } });
      expect(status.status).toBe(403);

      // The demo control route posts through the simulator's own caller.
      const viaControl = await call(sim.baseUrl, 'POST', '/_sim/outbound', { json: { deliveryUrl, overrides: { locationId: LOCATION, message: 'from control' } } });
      expect(viaControl.status).toBe(200);
      expect(viaControl.body.delivery).toEqual({ status: 200, body: { ok: true } });
      const posted = received.at(-1)!;
      expect(JSON.parse(posted.rawBody)).toMatchObject({ message: 'from control', messageId: viaControl.body.messageId });
      expect(verifyHighLevelSignature(Buffer.from(posted.rawBody), posted.headers['x-ghl-signature'] as string, sim.deliveryCaller.publicKeyPem)).toBe(true);
      const state = await call(sim.baseUrl, 'GET', '/_sim/state');
      expect(state.body).toMatchObject({ contacts: [], inboundMessages: [], statusUpdates: [], webhookPublicKeyPem: sim.deliveryCaller.publicKeyPem });
    } finally {
      await sim.stop();
    }
  });
});
