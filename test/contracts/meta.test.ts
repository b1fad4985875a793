import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { CloudApiClient } from '../../src/providers/meta/cloudApiClient';
import { MEDIA_USER_AGENT } from '../../src/providers/meta/mediaClient';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { inboundOutcome } from '../support/inbound';
import { consentHistory } from '../../src/store/consent';
import { listenOnFreePort, waitFor } from '../support/waitFor';

/**
 * Meta's published examples (test/fixtures/vendor/meta, SOURCES.md) through the real webhook receiver, workflows and
 * simulators: what the HighLevel user sees for each. Only the business number and message ids are rewritten.
 */

type Json = Record<string, any>; // vendor payloads are walked by path
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'vendor', 'meta');
const example = (name: string): Json => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Json;
const valueOf = (payload: Json): Json => payload.entry[0].changes[0].value;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { receiptTimeoutSeconds: 30, lateReceiptWindowSeconds: 60 } });
});
afterAll(async () => {
  await h?.stop();
});

/** The example, addressed to this test's business number. */
function forOurNumber(name: string): Json {
  const payload = example(name);
  valueOf(payload).metadata.phone_number_id = h.location.phoneNumberId;
  return payload;
}

/** Posts an inbound example signed as Meta does; its message gets a wamid of its own (Meta's examples share one). */
async function deliverInbound(name: string): Promise<{ wamid: string; payload: Json }> {
  const payload = forOurNumber(name);
  const wamid = `wamid.contract-${name.replace(/\W/g, '-')}`;
  valueOf(payload).messages[0].id = wamid;
  const delivery = await h.meta.deliverRaw(payload);
  expect(delivery.statusCode).toBe(200);
  return { wamid, payload };
}

const inHighLevel = (wamid: string) => h.highLevel.inboundMessages.filter((message) => message.altId === wamid);

describe('inbound messages (meta_inbound_*.json): each reaches the contact\'s HighLevel conversation once', () => {
  const expected: Array<[string, string]> = [
    ['meta_inbound_text.json', 'Does it come in another color?'],
    ['meta_inbound_interactive_button_reply.json', 'Cancel'],
    ['meta_inbound_interactive_list_reply.json', 'Priority Mail Express (Next Day to 2 Days)'],
    ['meta_inbound_location.json', '[Shared a location] Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 https://maps.google.com/?q=37.44221496582,-122.16165924072'],
    ['meta_inbound_reaction.json', '[Reacted 👍 to a message]'],
    ['meta_inbound_unsupported.json', '[Unsupported WhatsApp message: open WhatsApp to view it. Message type is currently not supported.]'],
    ['meta_inbound_button.json', 'Unsubscribe'],
  ];

  // Two-argument callback: jest.each passes `done` as a further argument when the function declares more.
  it.each(expected)('%s shows as "%s"', async (name, text) => {
    const { wamid, payload } = await deliverInbound(name);
    const outcome = await inboundOutcome(h, wamid);
    expect(outcome).toMatchObject({ status: 'delivered' });
    const [posted, ...more] = inHighLevel(wamid);
    expect(more).toEqual([]);
    expect(posted).toMatchObject({ type: 'SMS', message: text, contactId: outcome.contactId });
    // The contact is the example's sender, by phone.
    expect(h.highLevel.contacts.get(outcome.contactId as string)?.phone).toBe(`+${valueOf(payload).messages[0].from}`);
  });

  it('a tapped "Cancel" (the business\'s own button) changes no consent; the tapped "Unsubscribe" quick reply opts out', async () => {
    // Both examples come from the same sender and ran above.
    const history = await consentHistory(h.db, h.location.id, '+16505551234');
    expect(history.map((entry) => entry.evidence ?? '').filter((evidence) => /CANCEL/.test(evidence))).toEqual([]);
    expect(history.filter((entry) => entry.status === 'opted_out').map((entry) => entry.evidence)).toEqual([expect.stringContaining('"UNSUBSCRIBE"')]);
  });

  it('the image example is downloaded (User-Agent sent, an HTML error page retried, never uploaded) and attached in HighLevel with its caption', async () => {
    const media = example('meta_inbound_image.json');
    const image = valueOf(media).messages[0].image as { id: string; mime_type: string };
    const bytes = crypto.randomBytes(3000);
    h.meta.addMedia({ id: image.id, bytes, mimeType: image.mime_type });
    h.meta.serveBadMediaDownloads(1, 'html');

    const { wamid } = await deliverInbound('meta_inbound_image.json');
    expect(await inboundOutcome(h, wamid)).toMatchObject({ status: 'delivered', attachments: 1, placeholders: 0 });
    const [posted] = inHighLevel(wamid);
    expect(posted).toMatchObject({ message: 'Taj Mahal', attachments: [expect.any(String)] });
    const uploaded = h.highLevel.uploads.find((file) => file.url === posted?.attachments?.[0]);
    expect(uploaded).toMatchObject({ contentType: 'image/jpeg' });
    expect(uploaded?.bytes.equals(bytes)).toBe(true);
    // Nothing else was uploaded for it: the HTML page never became the contact's "image".
    expect(h.highLevel.uploads.filter((file) => file.contentType.startsWith('text/html'))).toEqual([]);
    const downloads = h.meta.requests.filter((request) => request.path.startsWith('/_media/'));
    expect(downloads.length).toBeGreaterThanOrEqual(2);
    expect(downloads.every((request) => request.headers['user-agent'] === MEDIA_USER_AGENT)).toBe(true);
  });
});

describe('status webhooks (meta_status_*.json)', () => {
  let counter = 0;
  /** A message HighLevel sent through this provider, whose receipts Meta withholds: the example is its receipt. */
  async function sentMessage() {
    const phone = `+1586475${String(1000 + ++counter).padStart(4, '0')}`;
    await h.openWindow(h.location.id, phone);
    h.meta.scriptReceipts(phone, []);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], messageId: `GKcontractstatus${counter}` });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const sent = await waitFor(() => h.meta.sentMessages.find((message) => message.to === phone), { what: 'the WhatsApp send' });
    return { phone, payload, wamid: sent.wamid, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
  }

  /** The status example about our message: its id, recipient and business number rewritten. */
  async function deliverStatus(name: string, wamid: string, phone: string) {
    const payload = forOurNumber(name);
    Object.assign(valueOf(payload).statuses[0], { id: wamid, recipient_id: phone.slice(1) });
    const delivery = await h.meta.deliverRaw(payload);
    expect(delivery.statusCode).toBe(200);
  }

  it('the failed 131049 example fails the message in HighLevel with the code and Meta\'s reason', async () => {
    const { phone, payload, wamid, workflowId } = await sentMessage();
    await deliverStatus('meta_status_failed_131049.json', wamid, phone);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    const updates = h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId);
    expect(updates).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: '131049', message: expect.stringMatching(/131049/) }) })]);
  });

  it('the sent example with conversation and pricing is stored against the message and pushes nothing to HighLevel', async () => {
    const { phone, payload, wamid, workflowId } = await sentMessage();
    await deliverStatus('meta_status_sent_marketing_pricing_conversation.json', wamid, phone);
    const stored = await waitFor(() => h.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', wamid).executeTakeFirst(), { what: 'the stored receipt' });
    expect(stored).toMatchObject({ provider: 'meta', status: 'sent', message_id: workflowId });
    expect(h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId)).toEqual([]);
    await h.meta.emitStatus(wamid, 'read', { recipientId: phone.slice(1) });
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read' });
  });
});

describe('send response (meta_send_response_text.json)', () => {
  it('the client takes the message id from the published success response', async () => {
    const answer = example('meta_send_response_text.json');
    const graph = Fastify();
    graph.post('/:phoneNumberId/messages', async () => answer);
    const url = await listenOnFreePort(graph);
    try {
      const client = new CloudApiClient(url, { phoneNumberId: '106540352242922', accessToken: 'token' });
      expect(await client.send('+16505551234', { kind: 'text', body: 'Hi', previewUrl: false }, 'deliver:loc:msg')).toMatchObject({ providerMessageId: answer.messages[0].id });
    } finally {
      await graph.close();
    }
  });
});

describe('account-level errors (value.errors)', () => {
  it('are acknowledged and shown on the location of the business number', async () => {
    const payload = forOurNumber('meta_account_error_130429.json');
    const delivery = await h.meta.deliverRaw(payload);
    expect(delivery.statusCode).toBe(200);
    const location = await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}`);
    expect(location.body.whatsapp.lastAccountError).toEqual({
      code: 130429,
      title: 'Rate limit hit',
      message: 'Rate limit hit',
      details: 'Cloud API message throughput has been reached.',
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      at: expect.any(String),
    });
  });
});
