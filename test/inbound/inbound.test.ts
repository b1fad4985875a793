import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../src/http/app';
import { signMetaPayload } from '../../src/providers/meta/signature';
import { SecretBox } from '../../src/security/secretBox';
import type { InboundSpec } from '@ghl-whatsapp/simulators';
import { META_APP_SECRET, startHarness, type Harness, type TestLocation } from '../support/harness';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { expectNoWorkflow, expectSameRun } from '../support/expectations';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const newPhone = () => `+1586470${String(1000 + ++counter).padStart(4, '0')}`;

/** The simulator posts a signed webhook to the product, as Meta would; returns the wamid it generated. */
async function emit(spec: InboundSpec, location: Pick<TestLocation, 'phoneNumberId'> = h.location) {
  const delivery = await h.meta.emitInbound({ phoneNumberId: location.phoneNumberId, ...spec });
  const wamid = inboundWamid(delivery);
  return { delivery, wamid };
}
const outcomeOf = (wamid: string) => inboundOutcome(h, wamid);
const inHighLevel = (wamid: string) => h.highLevel.inboundMessages.filter((message) => message.altId === wamid);
const contactsWithPhone = (phone: string) => [...h.highLevel.contacts.values()].filter((contact) => contact.phone === phone);

describe('inbound WhatsApp → HighLevel conversation', () => {
  it('creates the contact for an unknown number and threads the message with the wamid as altId, once', async () => {
    const phone = newPhone();
    const timestamp = Math.floor(Date.now() / 1000) - 5;
    const { delivery, wamid } = await emit({ from: phone, profileName: 'Sheena Nelson', type: 'text', text: 'Does it come in another color?', timestamp });
    expect(delivery.statusCode).toBe(200);
    // Meta redelivers (up to 7 days): while the workflow runs and after it finished.
    const redeliveries = await Promise.all([h.meta.deliverRaw(delivery.payload), h.meta.deliverRaw(delivery.payload)]);
    expect(redeliveries.map((redelivery) => redelivery.statusCode)).toEqual([200, 200]);

    expect(await outcomeOf(wamid)).toMatchObject({ status: 'delivered' });
    const [contact, ...others] = contactsWithPhone(phone);
    expect(others).toEqual([]);
    expect(contact).toMatchObject({ locationId: h.location.id, name: 'Sheena Nelson' });
    expect(inHighLevel(wamid)).toEqual([
      expect.objectContaining({
        type: 'SMS',
        contactId: contact?.id,
        message: 'Does it come in another color?',
        attachments: [],
        altId: wamid,
        direction: 'inbound',
        date: new Date(timestamp * 1000).toISOString(),
      }),
    ]);

    const workflowId = inboundWorkflowId('meta', wamid);
    const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();
    const late = await h.meta.deliverRaw(delivery.payload);
    expect(late.statusCode).toBe(200);
    await expectSameRun(h.temporal, workflowId, runId);
    expect(inHighLevel(wamid)).toHaveLength(1);
  });

  it('threads into the existing HighLevel contact and remembers it for the next messages', async () => {
    const phone = newPhone();
    const known = h.highLevel.seedContact({ locationId: h.location.id, phone, name: 'Known Customer' });
    const first = await emit({ from: phone, profileName: 'WhatsApp Name', type: 'text', text: 'first' });
    const second = await emit({ from: phone, profileName: 'WhatsApp Name', type: 'text', text: 'second' });
    expect(await outcomeOf(first.wamid)).toMatchObject({ status: 'delivered', contactId: known.id });
    expect(await outcomeOf(second.wamid)).toMatchObject({ status: 'delivered', contactId: known.id });
    expect(contactsWithPhone(phone)).toEqual([expect.objectContaining({ id: known.id, name: 'Known Customer' })]);
    expect([...inHighLevel(first.wamid), ...inHighLevel(second.wamid)].map((message) => message.message)).toEqual(['first', 'second']);
  });

  it('re-hosts an inbound image in HighLevel: the attachment has exactly the bytes WhatsApp holds', async () => {
    const phone = newPhone();
    const bytes = crypto.randomBytes(48 * 1024);
    const mediaId = h.meta.addMedia({ bytes, mimeType: 'image/jpeg' });
    const { wamid } = await emit({ from: phone, type: 'image', mediaId, caption: 'Taj Mahal' });
    expect(await outcomeOf(wamid)).toMatchObject({ status: 'delivered', attachments: 1, placeholders: 0 });

    const [message] = inHighLevel(wamid);
    expect(message).toMatchObject({ message: 'Taj Mahal', attachments: [expect.stringMatching(/\.jpg$/)] });
    const downloaded = Buffer.from(await (await fetch(message?.attachments?.[0] as string)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('keeps document names, and puts a clear placeholder for files HighLevel cannot take', async () => {
    const phone = newPhone();
    const pdf = h.meta.addMedia({ bytes: Buffer.from('%PDF-1.7 invoice'), mimeType: 'application/pdf' });
    const video = h.meta.addMedia({ bytes: Buffer.alloc(6 * 1024 * 1024, 1), mimeType: 'video/mp4' });
    const sticker = h.meta.addMedia({ bytes: Buffer.alloc(20 * 1024, 2), mimeType: 'image/webp' });
    const documentMessage = await emit({ from: phone, type: 'document', mediaId: pdf, filename: 'Invoice 42.pdf', caption: 'Paid' });
    const videoMessage = await emit({ from: phone, type: 'video', mediaId: video, caption: 'Look at this' });
    const stickerMessage = await emit({ from: phone, type: 'sticker', mediaId: sticker });
    await Promise.all([documentMessage, videoMessage, stickerMessage].map(({ wamid }) => outcomeOf(wamid)));

    expect(inHighLevel(documentMessage.wamid)[0]).toMatchObject({ message: 'Paid', attachments: [expect.stringMatching(/Invoice%2042\.pdf$/)] });
    expect(inHighLevel(videoMessage.wamid)[0]).toMatchObject({
      message: 'Look at this\n[Video (video/mp4, 6.0 MB): too large to attach in HighLevel; open WhatsApp to view it]',
      attachments: [],
    });
    expect(inHighLevel(stickerMessage.wamid)[0]).toMatchObject({
      message: '[Sticker (image/webp, 20 KB): this file type cannot be attached in HighLevel; open WhatsApp to view it]',
      attachments: [],
    });
  });

  it('describes buttons, lists, reactions, locations, contact cards and unsupported messages in words', async () => {
    const phone = newPhone();
    const sent = [
      await emit({ from: phone, type: 'button', button: { payload: 'CONFIRM_APPT_42', text: 'Confirm' } }),
      await emit({ from: phone, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day' } } }),
      await emit({ from: phone, type: 'reaction', reaction: { message_id: 'wamid.SOMETHING', emoji: '❤️' } }),
      await emit({ from: phone, type: 'location', location: { latitude: 42.33, longitude: -83.05, name: 'Our shop', address: '1 Main St' } }),
      await emit({ from: phone, type: 'contacts', contacts: [{ name: { formatted_name: 'Ann Lee' }, phones: [{ phone: '+1 586 555 0100' }] }] }),
      await emit({ from: phone, type: 'unsupported' }),
    ];
    await Promise.all(sent.map(({ wamid }) => outcomeOf(wamid)));
    expect(sent.map(({ wamid }) => inHighLevel(wamid)[0]?.message)).toEqual([
      'Confirm',
      'Priority Mail Express (Next Day)',
      '[Reacted ❤️ to a message]',
      '[Shared a location] Our shop, 1 Main St https://maps.google.com/?q=42.33,-83.05',
      '[Shared a contact] Ann Lee +1 586 555 0100',
      '[Unsupported WhatsApp message: open WhatsApp to view it. Message type is currently not supported.]',
    ]);
    const [button] = await h.db.selectFrom('inbound_messages').select('detail').where('provider_message_id', '=', sent[0]?.wamid as string).execute();
    expect(button?.detail).toMatchObject({ payload: 'CONFIRM_APPT_42' });
  });

  it('threads a burst of messages from one new sender, larger than the connection pool, into one contact', async () => {
    const phone = newPhone();
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => emit({ from: phone, profileName: 'Burst', type: 'text', text: `message ${i}` })));
    await Promise.all(burst.map(({ wamid }) => outcomeOf(wamid)));
    const threaded = burst.map(({ wamid }) => inHighLevel(wamid));
    expect(threaded.every((messages) => messages.length === 1)).toBe(true);
    expect(new Set(threaded.map((messages) => messages[0]?.contactId)).size).toBe(1);
    expect([...h.highLevel.contacts.values()].filter((contact) => contact.phone === phone)).toHaveLength(1);
  });

  it('handles users known only by a business-scoped user id: one phone-less contact, every message threaded', async () => {
    const userId = `US.${crypto.randomInt(1e9, 9e9)}${crypto.randomInt(1e9, 9e9)}`;
    const first = await emit({ fromUserId: userId, profileName: 'Zoë Username', type: 'text', text: 'Hi there' });
    expect(first.delivery.statusCode).toBe(200);
    const second = await emit({ fromUserId: userId, profileName: 'Zoë Username', type: 'text', text: 'Still there?' });
    const outcomes = [await outcomeOf(first.wamid), await outcomeOf(second.wamid)];
    expect(outcomes).toEqual([expect.objectContaining({ status: 'delivered' }), expect.objectContaining({ status: 'delivered' })]);
    expect(outcomes[0]?.contactId).toBe(outcomes[1]?.contactId);
    const contact = h.highLevel.contacts.get(outcomes[0]?.contactId as string);
    expect(contact).toMatchObject({ name: 'Zoë Username' });
    expect(contact?.phone).toBeUndefined();
    expect([...inHighLevel(first.wamid), ...inHighLevel(second.wamid)].map((message) => message.message)).toEqual(['Hi there', 'Still there?']);
  });

  it('marks inbound messages read on WhatsApp only where the location asks for it', async () => {
    const reading = await h.addLocation({ markInboundAsRead: true });
    const marked = await emit({ from: newPhone(), type: 'text', text: 'hello' }, reading);
    const unmarked = await emit({ from: newPhone(), type: 'text', text: 'hello' });
    await Promise.all([outcomeOf(marked.wamid), outcomeOf(unmarked.wamid)]);
    expect(h.meta.markedAsRead.filter((mark) => mark.messageId === marked.wamid)).toEqual([expect.objectContaining({ phoneNumberId: reading.phoneNumberId })]);
    expect(h.meta.markedAsRead.filter((mark) => mark.messageId === unmarked.wamid)).toEqual([]);
  });

  it('acknowledges messages for a business number no location uses, and threads nothing', async () => {
    const stranger = { accessToken: 'wa-token-stranger', wabaId: 'waba-stranger', phoneNumberId: 'pn-stranger', displayPhoneNumber: '15550002222' };
    h.meta.registerAccount(stranger);
    const { delivery, wamid } = await emit({ from: newPhone(), type: 'text', text: 'hello?' }, stranger);
    expect(delivery.statusCode).toBe(200);
    await expectNoWorkflow(h.temporal, inboundWorkflowId('meta', wamid));
    expect(inHighLevel(wamid)).toEqual([]);
  });
});

describe('inbound webhook when Temporal is down', () => {
  it('answers 503 so Meta retries, and the retry is threaded', async () => {
    // No gRPC retry interceptor: the refused connection surfaces at once.
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s', interceptors: [] });
    const app = buildApp({ config: h.config, db: h.db, temporal: new Client({ connection, namespace: 'default' }), box: new SecretBox(h.config.ENCRYPTION_KEY as string) });
    const phone = newPhone();
    const wamid = `wamid.${crypto.randomBytes(12).toString('base64')}`;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: h.location.wabaId, changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550001111', phone_number_id: h.location.phoneNumberId },
        contacts: [{ profile: { name: 'Retry Me' }, wa_id: phone.slice(1) }],
        messages: [{ from: phone.slice(1), id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'are you there?' } }],
      } }] }],
    };
    const body = JSON.stringify(payload);
    try {
      const port = (await app.listen({ host: '127.0.0.1', port: 0 })).split(':').pop();
      const response = await fetch(`http://127.0.0.1:${port}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, META_APP_SECRET) },
        body,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      await app.close();
      await connection.close().catch(() => undefined);
    }
    expect((await h.meta.deliverRaw(payload)).statusCode).toBe(200);
    expect(await outcomeOf(wamid)).toMatchObject({ status: 'delivered' });
    await waitFor(() => inHighLevel(wamid).length === 1, { what: 'the retried message in HighLevel' });
  });
});
