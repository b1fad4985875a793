import { sleep } from '@ghl-whatsapp/simulators';
import { CONVERSATIONS, DOWNSTREAM_DELAY_MS, LOCATION, OTHER_LOCATION, api, conversationsApi, otherToken, sim, token, useHighLevelSimulator } from './support';

/** HighLevel simulator contract tests: inbound messages, status updates and attachment upload. */

describe('HighLevel simulator', () => {
  useHighLevelSimulator();

  describe('conversations (Version 2021-04-15)', () => {
    it('adds an inbound message and keeps one conversation per contact', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550304040' });
      const body = { type: 'SMS', contactId: contact.id, message: 'Hi there', altId: 'wamid.ABC', direction: 'inbound', date: '2026-01-01T10:00:00.000Z' };
      const first = await conversationsApi('POST', '/conversations/messages/inbound', body);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        success: true,
        conversationId: expect.any(String),
        messageId: expect.any(String),
        message: 'Message queued successfully.',
        contactId: contact.id,
        dateAdded: expect.any(String),
      });
      const second = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', conversationId: first.body.conversationId, message: 'again' });
      expect(second.status).toBe(200);
      expect(second.body.conversationId).toBe(first.body.conversationId);
      expect(second.body.messageId).not.toBe(first.body.messageId);

      const recorded = sim.inboundMessages.find((message) => message.messageId === first.body.messageId);
      expect(recorded).toMatchObject({ ...body, conversationId: first.body.conversationId, locationId: LOCATION });
    });

    it('rejects unknown contacts, missing contactId/conversationId, bad types and other locations', async () => {
      const unknown = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: 'noSuchContact000000', message: 'x' });
      expect(unknown.status).toBe(400);
      const neither = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', message: 'x' });
      expect(neither.status).toBe(400);
      expect(neither.body.message).toMatch(/conversationId or contactId/);
      const contact = sim.seedContact({ locationId: LOCATION });
      const badType = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'Telegram', contactId: contact.id });
      expect(badType.status).toBe(400);
      const foreign = sim.seedContact({ locationId: OTHER_LOCATION });
      const crossLocation = await conversationsApi('POST', '/conversations/messages/inbound', { type: 'SMS', contactId: foreign.id });
      expect(crossLocation.status).toBe(403);
    });

    it('refuses status updates with 403 until the message is downstreamed, then records them', async () => {
      const messageId = 'outboundMsg000000001';
      sim.registerOutboundMessage(LOCATION, messageId);
      const early = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'delivered' });
      expect(early.status).toBe(403);
      expect(early.body).toMatchObject({ statusCode: 403, message: 'status changes are not allowed until the message is downstreamed to the conversation provider' });
      expect(sim.statusUpdates.some((update) => update.messageId === messageId)).toBe(false);

      await sleep(DOWNSTREAM_DELAY_MS + 50);
      const accepted = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'read' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ conversationId: expect.any(String), messageId, msg: 'Message queued successfully.', status: 'read' });
      // HighLevel does not enforce ordering: a late `delivered` after `read` is accepted too.
      const late = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'delivered' });
      expect(late.status).toBe(200);
      expect(sim.finalStatus(messageId)).toBe('delivered');
    });

    it('validates the status body and answers 404 for unknown messages', async () => {
      const messageId = 'outboundMsg000000002';
      sim.registerOutboundMessage(LOCATION, messageId);
      await sleep(DOWNSTREAM_DELAY_MS + 50);
      const unknown = await conversationsApi('PUT', '/conversations/messages/unknownMessage0000/status', { status: 'delivered' });
      expect(unknown.status).toBe(404);
      const sent = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'sent' });
      expect(sent.status).toBe(400);
      const partialError = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, { status: 'failed', error: { code: '1', message: 'no type' } });
      expect(partialError.status).toBe(400);
      const failed = await conversationsApi('PUT', `/conversations/messages/${messageId}/status`, {
        status: 'failed',
        error: { code: '131026', type: 'saas', message: 'Message undeliverable' },
      });
      expect(failed.status).toBe(200);
      expect(sim.statusUpdates.at(-1)).toMatchObject({ messageId, status: 'failed', error: { code: '131026', type: 'saas', message: 'Message undeliverable' } });
      const otherLocation = await api('PUT', `/conversations/messages/${messageId}/status`, { token: otherToken, version: CONVERSATIONS, json: { status: 'read' } });
      expect(otherLocation.status).toBe(403);
    });
  });

  describe('attachment upload', () => {
    const upload = (form: FormData) =>
      fetch(`${sim.baseUrl}/conversations/messages/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Version: CONVERSATIONS }, body: form });

    /** UploadFilesDto's required fields for a seeded contact and its conversation. */
    const uploadForm = () => {
      const contact = sim.seedContact({ locationId: LOCATION });
      const form = new FormData();
      form.append('conversationId', sim.conversationOf(contact));
      form.append('contactId', contact.id);
      form.append('locationId', LOCATION);
      return form;
    };

    it('stores files from fileAttachment and serves the exact bytes at the returned URL', async () => {
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 256));
      const form = uploadForm();
      form.append('fileAttachment', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
      form.append('fileAttachment', new Blob([Buffer.from('voice')], { type: 'audio/ogg; codecs=opus' }), 'voice.ogg');
      const response = await upload(form);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { uploadedFiles: Record<string, string> };
      expect(Object.keys(body.uploadedFiles).sort()).toEqual(['photo.jpg', 'voice.ogg']);
      const url = body.uploadedFiles['photo.jpg'];
      expect(url).toMatch(new RegExp(`^${sim.baseUrl}/_files/`));

      const served = await fetch(url!);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
      expect(sim.uploads.find((file) => file.url === url)).toMatchObject({ url, filename: 'photo.jpg', contentType: 'image/jpeg', locationId: LOCATION });
    });

    it('answers 400 naming what UploadFilesDto requires: conversationId, contactId, locationId (the spec marks all required)', async () => {
      const contact = sim.seedContact({ locationId: LOCATION });
      const withoutConversation = new FormData();
      withoutConversation.append('locationId', LOCATION);
      withoutConversation.append('contactId', contact.id);
      withoutConversation.append('fileAttachment', new Blob([Buffer.from('hi')], { type: 'text/plain' }), 'note.txt');
      const refused = await upload(withoutConversation);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ status: 400, message: 'conversationId is required' });

      const otherContact = sim.seedContact({ locationId: LOCATION });
      const mismatch = new FormData();
      mismatch.append('conversationId', sim.conversationOf(otherContact));
      mismatch.append('contactId', contact.id);
      mismatch.append('locationId', LOCATION);
      mismatch.append('fileAttachment', new Blob([Buffer.from('hi')], { type: 'text/plain' }), 'note.txt');
      expect((await upload(mismatch)).status).toBe(400);

      expect((await upload(uploadForm())).status).toBe(400); // nothing to upload
      expect(sim.uploads.some((file) => file.filename === 'note.txt')).toBe(false);
    });

    it('finds a contact\'s conversation by search, and creates one once', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550208080' });
      const none = await api('GET', `/conversations/search?locationId=${LOCATION}&contactId=${contact.id}`, { token, version: CONVERSATIONS });
      expect(none.body).toEqual({ conversations: [], total: 0 });
      const created = await api('POST', '/conversations/', { token, version: CONVERSATIONS, json: { locationId: LOCATION, contactId: contact.id } });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ success: true, conversation: { id: expect.any(String), contactId: contact.id, locationId: LOCATION } });
      const found = await api('GET', `/conversations/search?locationId=${LOCATION}&contactId=${contact.id}`, { token, version: CONVERSATIONS });
      expect(found.body).toMatchObject({ total: 1, conversations: [{ id: created.body.conversation.id, contactId: contact.id, phone: '+15550208080' }] });
      const again = await api('POST', '/conversations/', { token, version: CONVERSATIONS, json: { locationId: LOCATION, contactId: contact.id } });
      expect(again.status).toBe(400);
      const otherLocation = await api('GET', `/conversations/search?locationId=${OTHER_LOCATION}`, { token, version: CONVERSATIONS });
      expect(otherLocation.status).toBe(403);
    });

    it('answers 413 over 5 MB, 415 for disallowed types, 400 for more than 5 files', async () => {
      const big = uploadForm();
      big.append('fileAttachment', new Blob([Buffer.alloc(5 * 1024 * 1024 + 1)], { type: 'application/pdf' }), 'big.pdf');
      const tooLarge = await upload(big);
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toMatchObject({ status: 413, message: expect.any(String) });

      const exe = uploadForm();
      exe.append('fileAttachment', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'tool.exe');
      const unsupported = await upload(exe);
      expect(unsupported.status).toBe(415);
      expect(await unsupported.json()).toMatchObject({ status: 415 });

      const six = uploadForm();
      for (let index = 0; index < 6; index += 1) six.append('fileAttachment', new Blob([Buffer.from('x')], { type: 'text/plain' }), `n${index}.txt`);
      const tooMany = await upload(six);
      expect(tooMany.status).toBe(400);
      expect(sim.uploads.some((file) => file.filename === 'n0.txt')).toBe(false);
    });
  });
});
