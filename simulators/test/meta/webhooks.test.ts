import crypto from 'node:crypto';
import { verifyMetaSignature } from '../../../src/providers/meta/signature';
import { ACCOUNT, APP_SECRET, OTHER_ACCOUNT, USER, USER_DIGITS, graph, receivedWebhooks, receiver, send, simulator, startSimulator, statusesOf, textMessage, useMetaSimulator, waitFor, webhookUrl, type Json } from './support';

/** Meta simulator contract tests: signed status receipts and webhook emission (batches, inbound, raw, /_sim). */

useMetaSimulator();

describe('receipts', () => {
  it('sends signed sent and delivered webhooks that echo biz_opaque_callback_data', async () => {
    await startSimulator();
    const result = await send(textMessage({ biz_opaque_callback_data: 'tracking-123' }));
    const wamid = result.body.messages[0].id as string;
    const webhooks = await waitFor(() => receivedWebhooks().length >= 2 && receivedWebhooks());
    await simulator.receiptsSettled();
    expect(receivedWebhooks()).toHaveLength(2); // autoRead is off: nothing after 'delivered'

    const [sent, delivered] = webhooks.map((w) => w.payload);
    expect(sent).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: ACCOUNT.wabaId,
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: ACCOUNT.phoneNumberId },
                statuses: [
                  {
                    id: wamid,
                    status: 'sent',
                    timestamp: expect.stringMatching(/^\d{10}$/),
                    recipient_id: USER_DIGITS,
                    biz_opaque_callback_data: 'tracking-123',
                    conversation: { id: expect.any(String), expiration_timestamp: expect.stringMatching(/^\d+$/), origin: { type: 'service' } },
                    pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
                  },
                ],
              },
              field: 'messages',
            },
          ],
        },
      ],
    });
    const deliveredStatus = delivered!.entry[0]!.changes[0]!.value.statuses![0]!;
    expect(deliveredStatus).toMatchObject({ id: wamid, status: 'delivered', biz_opaque_callback_data: 'tracking-123' });
    expect(deliveredStatus.conversation?.expiration_timestamp).toBeUndefined();
    expect(simulator.webhookDeliveries.map((d) => d.statusCode)).toEqual([200, 200]);
  });

  it('goes on to read with autoRead, prices templates and drops conversation from v24', async () => {
    await startSimulator({ autoRead: true, apiVersion: 'v24.0' });
    simulator.upsertTemplate(ACCOUNT.wabaId, { name: 'hello_world', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hello' }] });
    await send({ messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
    const statuses = statusesOf(await waitFor(() => receivedWebhooks().length >= 3 && receivedWebhooks()));
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0]!.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' });
    expect(statuses[0]!.conversation).toBeUndefined();
    expect(statuses[2]!.pricing).toBeUndefined();
  });

  it('prices a utility template as free inside the customer service window the user opened, billed outside it', async () => {
    await startSimulator();
    const reminder = { name: 'appointment_reminder', language: 'en_US', category: 'UTILITY' as const, components: [{ type: 'BODY' as const, text: 'See you soon' }] };
    simulator.upsertTemplate(ACCOUNT.wabaId, reminder);
    const template = { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'appointment_reminder', language: { code: 'en_US' } } };
    const pricingOfNextSend = async () => {
      const wamid = (await send(template)).body.messages[0].id as string;
      const sent = await waitFor(() => statusesOf(receivedWebhooks()).find((status) => status.id === wamid && status.status === 'sent'));
      return sent.pricing;
    };

    expect(await pricingOfNextSend()).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' });
    // A message from a day ago does not open the window; one just now does, for this business number only.
    await simulator.emitInbound({ from: USER, type: 'text', text: 'old', timestamp: Date.now() / 1000 - 25 * 3600 });
    expect(await pricingOfNextSend()).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' });
    await simulator.emitInbound({ from: USER, type: 'text', text: 'Can I move my appointment?' });
    expect(await pricingOfNextSend()).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'utility' });
  });

  it('follows scripts: out of order, duplicates, failures, late and withheld receipts', async () => {
    await startSimulator();
    simulator.scriptReceipts(USER, [
      { status: 'read' },
      { status: 'delivered', duplicate: true },
      { status: 'sent', delayMs: 60 },
    ]);
    simulator.scriptReceipts('+16505550000', []);
    simulator.scriptReceipts('16505559999', [{ status: 'failed', error: { code: 131049, details: 'healthy ecosystem' } }]);

    const scripted = (await send(textMessage())).body.messages[0].id as string;
    const withheld = (await send(textMessage({ to: '+16505550000' }))).body.messages[0].id as string;
    const failed = (await send(textMessage({ to: '+1 650-555-9999' }))).body.messages[0].id as string;

    await simulator.receiptsSettled();
    const statuses = statusesOf(receivedWebhooks());
    expect(statuses).toHaveLength(5);
    expect(statusesOf(receivedWebhooks()).some((s) => s.id === withheld)).toBe(false);
    expect(statuses.filter((s) => s.id === scripted).map((s) => s.status)).toEqual(['read', 'delivered', 'delivered', 'sent']);
    const failure = statuses.find((s) => s.id === failed)!;
    expect(failure).toMatchObject({ status: 'failed', recipient_id: '16505559999' });
    expect(failure.errors).toEqual([
      {
        code: 131049,
        title: 'This message was not delivered to maintain healthy ecosystem engagement.',
        message: 'This message was not delivered to maintain healthy ecosystem engagement.',
        error_data: { details: 'healthy ecosystem' },
        href: '/documentation/business-messaging/whatsapp/support/error-codes',
      },
    ]);
    expect(failure.pricing).toBeUndefined();

    // A script covers one message only; the next one to the same user gets automatic receipts again.
    receiver.requests.length = 0;
    const next = (await send(textMessage())).body.messages[0].id as string;
    const automatic = statusesOf(await waitFor(() => receivedWebhooks().length >= 2 && receivedWebhooks()));
    expect(automatic.map((s) => [s.id, s.status])).toEqual([
      [next, 'sent'],
      [next, 'delivered'],
    ]);
  });

  it('sends no automatic receipts without a webhook URL and records failed deliveries', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    await simulator.receiptsSettled();
    expect(simulator.webhookDeliveries).toHaveLength(0);
    const delivery = await simulator.emitStatus(wamid, 'delivered');
    expect(delivery).toMatchObject({ statusCode: 0, error: 'No webhook URL configured' });
    simulator.setWebhookUrl(webhookUrl);
    expect((await simulator.emitStatus(wamid, 'read', { timestamp: 1750030073 })).statusCode).toBe(200);
    const [status] = statusesOf(receivedWebhooks());
    expect(status).toEqual({ id: wamid, status: 'read', timestamp: '1750030073', recipient_id: USER_DIGITS });
  });
});

describe('webhook emission', () => {
  it('delivers a batch of 50 statuses in one signed POST split across 2 entries', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamids: string[] = [];
    for (let i = 0; i < 50; i += 1) wamids.push((await send(textMessage({ to: `+1650555${String(1000 + i)}` }))).body.messages[0].id);
    simulator.setWebhookUrl(webhookUrl);

    const delivery = await simulator.emitBatch(wamids.map((wamid) => ({ kind: 'status' as const, wamid, status: 'delivered' as const })), { entries: 2 });
    expect(delivery.statusCode).toBe(200);
    const webhooks = receivedWebhooks();
    expect(webhooks).toHaveLength(1);
    const { entry } = webhooks[0]!.payload;
    expect(entry).toHaveLength(2);
    expect(entry.map((e) => e.id)).toEqual([ACCOUNT.wabaId, ACCOUNT.wabaId]);
    expect(entry.map((e) => e.changes[0]!.value.statuses!.length)).toEqual([25, 25]);
    expect(statusesOf(webhooks).map((s) => s.id)).toEqual(wamids);
  });

  it('groups a mixed batch per WABA with messages and contacts beside statuses', async () => {
    await startSimulator({ webhookUrl: undefined });
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    simulator.setWebhookUrl(webhookUrl);
    await simulator.emitBatch([
      { kind: 'status', wamid, status: 'read' },
      { kind: 'inbound', type: 'text', from: USER, profileName: 'Sheena Nelson', text: 'one' },
      { kind: 'inbound', type: 'text', from: USER, profileName: 'Sheena Nelson', text: 'two', phoneNumberId: OTHER_ACCOUNT.phoneNumberId },
    ]);
    const [webhook] = receivedWebhooks();
    expect(webhook!.payload.entry.map((e) => e.id)).toEqual([ACCOUNT.wabaId, OTHER_ACCOUNT.wabaId]);
    const first = webhook!.payload.entry[0]!.changes[0]!.value;
    expect(first.statuses!.map((s) => s.status)).toEqual(['read']);
    expect(first.messages!.map((m) => (m.text as { body: string }).body)).toEqual(['one']);
    expect(first.contacts).toEqual([{ profile: { name: 'Sheena Nelson' }, wa_id: USER_DIGITS }]);
    expect(webhook!.payload.entry[1]!.changes[0]!.value.metadata.phone_number_id).toBe(OTHER_ACCOUNT.phoneNumberId);
  });

  it('emits inbound text from a BSUID-only sender without `from`, like Meta', async () => {
    await startSimulator();
    await simulator.emitInbound({ type: 'text', fromUserId: 'US.13491208655302741918', profileName: 'Sheena', text: 'Hi there', timestamp: 1749416383 });
    const [webhook] = receivedWebhooks();
    const value = webhook!.payload.entry[0]!.changes[0]!.value;
    expect(value.contacts).toEqual([{ profile: { name: 'Sheena' }, user_id: 'US.13491208655302741918' }]);
    expect(value.messages).toEqual([
      { from_user_id: 'US.13491208655302741918', id: expect.stringMatching(/^wamid\./), timestamp: '1749416383', type: 'text', text: { body: 'Hi there' } },
    ]);
    expect(value.messages![0]).not.toHaveProperty('from');
  });

  it('emits an inbound image whose media can be looked up and downloaded', async () => {
    await startSimulator();
    const bytes = crypto.randomBytes(2048);
    const mediaId = simulator.addMedia({ bytes, mimeType: 'image/jpeg' });
    await simulator.emitInbound({
      type: 'image',
      from: USER,
      caption: 'Taj Mahal',
      mediaId,
      context: { from: '15550783881', id: 'wamid.ctx' },
    });
    const message = receivedWebhooks()[0]!.payload.entry[0]!.changes[0]!.value.messages![0]!;
    expect(message).toEqual({
      context: { from: '15550783881', id: 'wamid.ctx' },
      from: USER_DIGITS,
      id: expect.any(String),
      timestamp: expect.any(String),
      type: 'image',
      image: { caption: 'Taj Mahal', mime_type: 'image/jpeg', sha256: crypto.createHash('sha256').update(bytes).digest('base64'), id: mediaId },
    });
    // Media the test did not supply still downloads.
    await simulator.emitInbound({ type: 'audio', fromUserId: 'US.1', text: '' });
    const audio = receivedWebhooks()[1]!.payload.entry[0]!.changes[0]!.value.messages![0]!.audio as { id: string; mime_type: string };
    const lookup = await graph('GET', `/${audio.id}`);
    expect(lookup.body.mime_type).toBe('audio/ogg; codecs=opus');
  });

  it('escapes non-ASCII as \\uXXXX in the raw body and signs exactly those bytes', async () => {
    await startSimulator();
    const text = "J'ai mangé des pâtes みどりいろ 👍";
    const delivery = await simulator.emitInbound({ type: 'text', from: USER, profileName: 'Zoë', text });
    expect(delivery.statusCode).toBe(200);
    const [webhook] = receivedWebhooks();
    expect(webhook!.rawBody).toMatch(/^[\x00-\x7f]*$/);
    expect(webhook!.rawBody).toContain('mang\\u00e9 des p\\u00e2tes \\u307f\\u3069\\u308a\\u3044\\u308d \\ud83d\\udc4d');
    expect(webhook!.rawBody).toBe(delivery.rawBody);
    const parsed = webhook!.payload;
    expect(parsed.entry[0]!.changes[0]!.value.messages![0]!.text).toEqual({ body: text });
    // The gotcha: re-serialising the parsed JSON unescapes the text and no longer verifies.
    expect(verifyMetaSignature(JSON.stringify(parsed), webhook!.signature, APP_SECRET)).toBe(false);
  });

  it('delivers raw payloads with a forged signature so receivers can reject them', async () => {
    await startSimulator();
    const delivery = await simulator.deliverRaw({ object: 'whatsapp_business_account', entry: [] }, { signature: 'sha256=' + '0'.repeat(64) });
    expect(delivery.statusCode).toBe(401);
    expect(receiver.requests[0]!.headers['x-hub-signature-256']).toBe('sha256=' + '0'.repeat(64));
    expect((await simulator.deliverRaw({ object: 'whatsapp_business_account', entry: [] })).statusCode).toBe(200);
  });

  it('emits inbound messages and receipts through the /_sim control routes', async () => {
    await startSimulator();
    simulator.scriptReceipts(USER, []);
    const wamid = (await send(textMessage())).body.messages[0].id as string;
    const post = (path: string, body: unknown) =>
      fetch(`${simulator.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const inbound = (await (await post('/_sim/inbound', { type: 'text', from: '16505551234', text: 'Does it come in another color?' })).json()) as Json;
    expect(inbound.statusCode).toBe(200);
    const receipt = await post('/_sim/receipts', { wamid, status: 'failed', error: { code: 131026 } });
    expect(receipt.status).toBe(200);
    expect((await post('/_sim/receipts', { wamid })).status).toBe(400);
    const webhooks = receivedWebhooks();
    expect(webhooks).toHaveLength(2);
    expect(webhooks[0]!.payload.entry[0]!.changes[0]!.value.messages![0]!.text).toEqual({ body: 'Does it come in another color?' });
    expect(statusesOf(webhooks)).toEqual([expect.objectContaining({ id: wamid, status: 'failed', errors: [expect.objectContaining({ code: 131026 })] })]);
    expect(simulator.requests.every((r) => !r.path.startsWith('/_sim'))).toBe(true);
  });
});
