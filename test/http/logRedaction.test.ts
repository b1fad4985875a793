import { PassThrough } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../src/http/app';
import { maskPhone, redactQuery } from '../../src/logging';
import { SecretBox, sha256Hex } from '../../src/security/secretBox';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { startHarness, type Harness } from '../support/harness';
import { listenOnFreePort, waitFor } from '../support/waitFor';

describe('masking helpers', () => {
  it('keeps enough of a number to tell numbers apart, never the whole number', () => {
    expect(maskPhone('+15864603685')).toBe('+1586•••••85');
    expect(maskPhone(null)).toBe('(none)');
    expect(maskPhone('+1234')).toBe('•••••');
  });

  it('redacts secrets carried in URLs', () => {
    expect(redactQuery('/webhooks/highlevel/delivery?token=s3cret&x=1')).toBe('/webhooks/highlevel/delivery?token=[redacted]&x=1');
    expect(redactQuery('/oauth/callback?code=abc123')).toBe('/oauth/callback?code=[redacted]');
    expect(redactQuery('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=1')).toBe(
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1',
    );
  });

  it('masks phone numbers in paths and query values, whether the + is plain or encoded', () => {
    expect(redactQuery('/admin/locations/loc-1/consent/+15864603685')).toBe('/admin/locations/loc-1/consent/+1586•••••85');
    expect(redactQuery('/admin/locations/loc-1/consent/%2B15864603685?x=1')).toBe('/admin/locations/loc-1/consent/+1586•••••85?x=1');
    expect(redactQuery('/x?phone=15864603685&y=2')).toBe('/x?phone=15864••••85&y=2');
    expect(redactQuery('/admin/locations/AC0123456789abcdef')).toBe('/admin/locations/AC0123456789abcdef');
    // Numbers written with spaces, dashes, dots or brackets, encoded or not (a space in a query may come as `+`).
    expect(redactQuery('/x?phone=%2B1%20586%20460%203685')).toBe('/x?phone=+1586•••••85');
    expect(redactQuery('/x?phone=+1+586-460-3685&y=2')).toBe('/x?phone=+1586•••••85&y=2');
    expect(redactQuery('/admin/locations/loc-1/consent/(586)%20460.3685')).toBe('/admin/locations/loc-1/consent/58646•••85');
    expect(redactQuery('/x?since=2026-11-30&n=20')).toBe('/x?since=2026-11-30&n=20');
  });
});

describe('what the API writes to its log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('never contains a full phone number, a token or a signature', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS as string });
    const app = buildApp(
      { config: { ...h.config, LOG_LEVEL: 'trace' }, db: h.db, temporal: new Client({ connection }), box: new SecretBox(h.config.ENCRYPTION_KEY as string) },
      { logStream: stream },
    );
    try {
      const base = await listenOnFreePort(app);
      const token = 'delivery-token-that-must-not-leak-0123456789';
      await h.db.updateTable('locations').set({ delivery_token_hash: sha256Hex(token) }).where('id', '=', h.location.id).execute();
      const phone = '+15864603685';
      await h.openWindow(h.location.id, phone);
      const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] });
      const signed = await h.caller.send(`${base}/webhooks/highlevel/delivery`, payload);
      expect(signed.status).toBe(200);
      const byToken = await h.caller.send(`${base}/webhooks/highlevel/delivery?token=${token}`, HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] }), { signature: 'none' });
      expect(byToken.status).toBe(200);
      await fetch(`${base}/admin/locations/${h.location.id}`, { headers: { authorization: `Bearer ${h.config.ADMIN_TOKEN}` } });
      await fetch(`${base}/admin/locations/${h.location.id}/consent/%2B15864603685`, { headers: { authorization: `Bearer ${h.config.ADMIN_TOKEN}` } });
      // The logger writes asynchronously: wait for the four responses' lines, not for a fixed time.
      await waitFor(() => lines.join('').split('request completed').length - 1 >= 4, { what: 'four "request completed" log lines' });

      const log = lines.join('');
      expect(log).toContain('delivery accepted');
      expect(log).toContain('+1586•••••85');
      for (const secret of ['5864603685', token, h.config.ADMIN_TOKEN as string, h.caller.sign(JSON.stringify(payload))]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await app.close();
      await connection.close();
    }
  });
});
