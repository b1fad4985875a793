import { CONTACTS, CONVERSATIONS, LOCATION, OTHER_LOCATION, api, contactsApi, otherToken, sim, token, useHighLevelSimulator } from './support';

/** HighLevel simulator contract tests: auth, the Version header and the contacts API. */

describe('HighLevel simulator', () => {
  useHighLevelSimulator();

  describe('auth and Version header', () => {
    it('answers 401 UnauthorizedDTO without a token and with an unknown token', async () => {
      const missing = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { version: CONTACTS });
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ statusCode: 401, message: 'Invalid JWT' });
      const unknown = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: 'not-a-token', version: CONTACTS });
      expect(unknown.status).toBe(401);
    });

    it('answers 401 once the access token has expired', async () => {
      const shortLived = sim.issueLocationToken(LOCATION).access_token;
      const before = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: shortLived, version: CONTACTS });
      expect(before.status).toBe(200);
      sim.expireAccessToken(shortLived);
      const after = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token: shortLived, version: CONTACTS });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ statusCode: 401, message: 'Invalid JWT' });
    });

    it('answers 400 naming the Version header when it is missing or one neither the spec nor the SDK uses', async () => {
      const missing = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/Version/);
      // Contacts list only 2021-07-28; the conversations value is not one the SDK sends there.
      const swapped = await api('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=%2B15550000000`, { token, version: CONVERSATIONS });
      expect(swapped.status).toBe(400);
      expect(swapped.body.message).toMatch(/Version/);
      const unknown = await api('POST', '/conversations/messages/inbound', { token, version: '2020-01-01', json: { type: 'SMS', contactId: 'x' } });
      expect(unknown.status).toBe(400);
    });

    it("accepts on every endpoint the Version values HighLevel's SDK sends (2021-07-28 up to 2.3.0, 2023-02-21 from 3.0.0)", async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550207070' });
      for (const version of ['2021-07-28', '2023-02-21']) {
        const read = await api('GET', `/contacts/${contact.id}`, { token, version });
        expect(read.status).toBe(200);
        const inbound = await api('POST', '/conversations/messages/inbound', { token, version, json: { type: 'SMS', contactId: contact.id, message: 'hi' } });
        expect(inbound.status).toBe(200);
      }
    });

    it("answers 403 when a token touches another location's data", async () => {
      const contact = sim.seedContact({ locationId: OTHER_LOCATION, phone: '+15550001111' });
      const read = await contactsApi('GET', `/contacts/${contact.id}`);
      expect(read.status).toBe(403);
      const search = await contactsApi('GET', `/contacts/search/duplicate?locationId=${OTHER_LOCATION}&number=%2B15550001111`);
      expect(search.status).toBe(403);
      const own = await api('GET', `/contacts/${contact.id}`, { token: otherToken, version: CONTACTS });
      expect(own.status).toBe(200);
    });
  });

  describe('contacts (Version 2021-07-28)', () => {
    it('finds a duplicate by URL-encoded E.164 regardless of stored formatting, else null', async () => {
      const seeded = sim.seedContact({ locationId: LOCATION, firstName: 'Ada', lastName: 'Lovelace', phone: '+1 (586) 460-3685' });
      const found = await contactsApi('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=${encodeURIComponent('+15864603685')}`);
      expect(found.status).toBe(200);
      expect(found.body.contact).toMatchObject({ id: seeded.id, locationId: LOCATION, phone: '+15864603685', firstName: 'Ada', name: 'Ada Lovelace' });
      const none = await contactsApi('GET', `/contacts/search/duplicate?locationId=${LOCATION}&number=${encodeURIComponent('+15864600000')}`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ contact: null });
    });

    it('creates a contact (201), requires locationId and refuses duplicates', async () => {
      const created = await contactsApi('POST', '/contacts/', { locationId: LOCATION, firstName: 'Grace', phone: '+1 555 010 2020', tags: ['a', 'a'] });
      expect(created.status).toBe(201);
      expect(created.body.contact).toMatchObject({ locationId: LOCATION, firstName: 'Grace', phone: '+15550102020', tags: ['a'] });
      expect(sim.contacts.get(created.body.contact.id)?.phone).toBe('+15550102020');

      const missing = await contactsApi('POST', '/contacts/', { firstName: 'NoLocation' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/locationId/);

      const duplicate = await contactsApi('POST', '/contacts/', { locationId: LOCATION, phone: '+15550102020' });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.meta).toMatchObject({ contactId: created.body.contact.id, matchingField: 'phone' });
    });

    it('upserts: new contact first, then the existing one matched by phone', async () => {
      const first = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, phone: '+447700900123', firstName: 'Alan' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ new: true, contact: { phone: '+447700900123', firstName: 'Alan' } });
      expect(typeof first.body.traceId).toBe('string');
      const second = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, phone: '+44 7700 900123', lastName: 'Turing' });
      expect(second.body).toMatchObject({ new: false, contact: { id: first.body.contact.id, firstName: 'Alan', lastName: 'Turing' } });
      const byEmail = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, email: 'alan@example.com', phone: '+447700900123' });
      expect(byEmail.body.new).toBe(false);
      const fresh = await contactsApi('POST', '/contacts/upsert', { locationId: LOCATION, email: 'someone@example.com' });
      expect(fresh.body.new).toBe(true);
    });

    it('updates with PUT: dndSettings and tags are replaced by what is sent, answers { succeded, contact }', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, phone: '+15550203030', tags: ['old', 'keep'], dndSettings: { SMS: { status: 'active', message: 'STOP', code: '101' } } });
      const updated = await contactsApi('PUT', `/contacts/${contact.id}`, { dndSettings: { WhatsApp: { status: 'active', message: 'STOP received' } }, tags: ['new'] });
      expect(updated.status).toBe(200);
      expect(updated.body.succeded).toBe(true);
      // The SMS DND is gone: an update replaces the map (a client must read, change one channel, write all).
      expect(updated.body.contact.dndSettings).toEqual({ WhatsApp: { status: 'active', message: 'STOP received' } });
      expect(updated.body.contact.tags).toEqual(['new']);

      const reread = await contactsApi('GET', `/contacts/${contact.id}`);
      expect(reread.body.contact.dndSettings.WhatsApp.status).toBe('active');

      const badStatus = await contactsApi('PUT', `/contacts/${contact.id}`, { dndSettings: { SMS: { status: 'on' } } });
      expect(badStatus.status).toBe(400);
      // UpdateContactDto has no locationId: HighLevel's whitelist rejects it.
      const extraProperty = await contactsApi('PUT', `/contacts/${contact.id}`, { locationId: LOCATION, firstName: 'X' });
      expect(extraProperty.status).toBe(422);
      expect(extraProperty.body.message).toEqual(['property locationId should not exist']);
    });

    it('adds tags (201, deduped) and removes them; unknown contacts are 404', async () => {
      const contact = sim.seedContact({ locationId: LOCATION, tags: ['lead'] });
      const added = await contactsApi('POST', `/contacts/${contact.id}/tags`, { tags: ['whatsapp-optin', 'lead', 'whatsapp-optin'] });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ tags: ['lead', 'whatsapp-optin'] });
      const removed = await contactsApi('DELETE', `/contacts/${contact.id}/tags`, { tags: ['lead'] });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ tags: ['whatsapp-optin'] });
      expect(sim.contacts.get(contact.id)?.tags).toEqual(['whatsapp-optin']);
      const unknown = await contactsApi('GET', '/contacts/doesNotExist0000000');
      expect(unknown.status).toBe(404);
    });
  });
});
