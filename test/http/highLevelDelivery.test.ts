import { Client, Connection } from '@temporalio/client';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { buildApp } from '../../src/http/app';
import { SecretBox } from '../../src/security/secretBox';
import { sha256Hex } from '../../src/security/secretBox';
import { deliverWorkflowId } from '../../workflows/shared';
import { startHarness, type Harness } from '../support/harness';
import { listenOnFreePort } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await h.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

/** Ledger rows of one HighLevel message: other tests' accepted messages may still be opening theirs meanwhile. */
const ledgerRowsOf = async (messageId: string) => (await h.db.selectFrom('messages').select('id').where('highlevel_message_id', '=', messageId).execute()).length;

function payload(overrides: Record<string, unknown> = {}) {
  return HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, attachments: [], ...overrides });
}

describe('Delivery URL authentication', () => {
  it.each(['none', 'wrong', 'N/A'] as const)('rejects signature=%s with 401 and starts nothing', async (signature) => {
    const message = payload();
    const response = await h.caller.send(h.deliveryUrl, message, { signature });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'invalid or missing X-GHL-Signature (or Delivery URL token)' });
    expect(await workflowExists(deliverWorkflowId(h.location.id, message.messageId))).toBe(false);
    expect(await ledgerRowsOf(message.messageId)).toBe(0);
  });

  it("accepts an unsigned post carrying the location's secret token, and nothing else", async () => {
    const token = 'a-long-random-delivery-token-0123456789';
    const location = await h.addLocation();
    await h.db.updateTable('locations').set({ delivery_token_hash: sha256Hex(token) }).where('id', '=', location.id).execute();
    const message = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, attachments: [] });

    const wrong = await h.caller.send(`${h.deliveryUrl}?token=not-it`, message, { signature: 'none' });
    expect(wrong.status).toBe(401);
    const right = await h.caller.send(`${h.deliveryUrl}?token=${token}`, message, { signature: 'none' });
    expect(right).toMatchObject({ status: 200, body: { accepted: true } });
    // The token of one location does not open another.
    const other = await h.caller.send(`${h.deliveryUrl}?token=${token}`, payload(), { signature: 'none' });
    expect(other.status).toBe(401);
  });
});

describe('Delivery URL validation', () => {
  it('answers 400 for a signed body that is not JSON', async () => {
    const raw = '{"type":"SMS",';
    const response = await fetch(h.deliveryUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ghl-signature': h.caller.sign(raw) }, body: raw });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body is not valid JSON' });
  });

  it('answers 400 naming each bad field', async () => {
    const response = await h.caller.send(h.deliveryUrl, { type: 'SMS', locationId: h.location.id, attachments: ['not a url'] });
    expect(response.status).toBe(400);
    const fields = (response.body as { fields: Array<{ field: string }> }).fields.map((item) => item.field);
    expect(fields).toEqual(expect.arrayContaining(['contactId', 'messageId', 'attachments.0']));
  });

  it('answers 422 for an email and starts nothing', async () => {
    const message = payload({ type: 'Email' });
    const response = await h.caller.send(h.deliveryUrl, message);
    expect(response.status).toBe(422);
    expect((response.body as { error: string }).error).toMatch(/only handles type "SMS"/);
    expect(await workflowExists(deliverWorkflowId(h.location.id, message.messageId))).toBe(false);
  });

  it('answers 400 for a location id with a NUL or other control character, unsigned or signed, before any lookup', async () => {
    for (const signature of ['none', undefined] as const) {
      const message = payload({ locationId: `${h.location.id}\u0000x` });
      const response = await h.caller.send(h.deliveryUrl, message, signature ? { signature } : {});
      expect(response).toMatchObject({ status: 400, body: { error: 'locationId contains control characters' } });
      expect(await ledgerRowsOf(message.messageId)).toBe(0);
    }
  });

  it('answers 413 with the reason for a message Temporal could not carry, and starts and stores nothing', async () => {
    const message = payload({ message: 'x'.repeat(200 * 1024) });
    const response = await h.caller.send(h.deliveryUrl, message);
    expect(response.status).toBe(413);
    expect((response.body as { error: string }).error).toMatch(/^the message is \d+ bytes; at most 131072 can be delivered/);
    expect(await workflowExists(deliverWorkflowId(h.location.id, message.messageId))).toBe(false);
    expect(await ledgerRowsOf(message.messageId)).toBe(0);
  });

  it('answers 404 for a location that has not installed the app', async () => {
    const response = await h.caller.send(h.deliveryUrl, payload({ locationId: 'never-installed' }));
    expect(response).toMatchObject({ status: 404, body: { error: 'location never-installed has not installed or configured this app' } });
  });
});

describe('Delivery URL when Temporal is down', () => {
  it('answers 503 so HighLevel retries, and stores nothing', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
    const deadTemporal = new Client({ connection, namespace: 'default' });
    const app = buildApp({ config: h.config, db: h.db, temporal: deadTemporal, box: new SecretBox(h.config.ENCRYPTION_KEY as string) });
    const message = payload();
    const body = JSON.stringify(message);
    try {
      const response = await fetch(`${await listenOnFreePort(app)}/webhooks/highlevel/delivery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ghl-signature': h.caller.sign(body) },
        body,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toEqual({ error: 'Temporal is unavailable; retry later' });
      expect(await h.db.selectFrom('messages').selectAll().where('highlevel_message_id', '=', message.messageId).execute()).toEqual([]);
    } finally {
      await app.close();
      await connection.close().catch(() => undefined);
    }
  });
});
