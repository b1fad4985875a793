import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioInboundClient, TwilioMediaError } from '../../../src/providers/twilio/inboundClient';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + 'f'.repeat(32), authToken: 'inbound_test_token' };
const BASIC_AUTH = `Basic ${Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64')}`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

let sim: TwilioSimulator;
beforeAll(async () => {
  sim = await TwilioSimulator.start({ accounts: [ACCOUNT] });
});
afterAll(async () => {
  await sim.stop();
});

/** An incoming WhatsApp image; the simulator keeps the bytes at the MediaUrl0 it put in the (undeliverable) webhook. */
async function inboundImageUrl(): Promise<string> {
  const delivery = await sim.emitInbound('http://127.0.0.1:9/webhooks/twilio', { from: '+16505551234', to: '+14155238886', media: [{ contentType: 'image/png', bytes: PNG }] });
  return delivery.params.MediaUrl0 as string;
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('TwilioInboundClient.fetchMedia', () => {
  it('downloads MediaUrlN with the account credentials', async () => {
    const url = await inboundImageUrl();
    const fetched = await new TwilioInboundClient(ACCOUNT).fetchMedia({ kind: 'image', url, mimeType: 'image/png' }, { maxBytes: 1024 });
    expect(fetched).toEqual({ ok: true, bytes: PNG, mimeType: 'image/png' });
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', headers: expect.objectContaining({ authorization: BASIC_AUTH }) });
  });

  it('refuses a file larger than the limit without keeping it', async () => {
    const url = await inboundImageUrl();
    expect(await new TwilioInboundClient(ACCOUNT).fetchMedia({ kind: 'image', url }, { maxBytes: 4 })).toEqual({
      ok: false,
      reason: 'too_large',
      sizeBytes: PNG.length,
      mimeType: 'image/png',
    });
  });

  it('throws (worth retrying) on bad credentials and reports a missing file as unavailable', async () => {
    const url = await inboundImageUrl();
    await expect(new TwilioInboundClient({ ...ACCOUNT, authToken: 'wrong' }).fetchMedia({ kind: 'image', url }, { maxBytes: 1024 })).rejects.toBeInstanceOf(TwilioMediaError);
    const missing = url.replace(/ME[0-9a-f]{32}$/, `ME${'0'.repeat(32)}`);
    expect(await new TwilioInboundClient(ACCOUNT).fetchMedia({ kind: 'image', url: missing, mimeType: 'image/png' }, { maxBytes: 1024 })).toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
  });

  it("follows Twilio's redirect to the CDN without sending the credentials to the other origin", async () => {
    const cdnHeaders: http.IncomingHttpHeaders[] = [];
    const cdn = await listen((request, response) => {
      cdnHeaders.push(request.headers);
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    });
    const api = await listen((_request, response) => response.writeHead(307, { location: `${cdn.url}/signed/abc.png` }).end());
    try {
      const fetched = await new TwilioInboundClient(ACCOUNT).fetchMedia({ kind: 'image', url: `${api.url}/Media/ME1` }, { maxBytes: 1024 });
      expect(fetched).toEqual({ ok: true, bytes: PNG, mimeType: 'image/png' });
      expect(cdnHeaders).toHaveLength(1);
      expect(cdnHeaders[0]?.authorization).toBeUndefined();
    } finally {
      await api.close();
      await cdn.close();
    }
  });

  it('has no read marks to send', async () => {
    await expect(new TwilioInboundClient(ACCOUNT).markRead('SM1')).resolves.toBeUndefined();
  });
});
