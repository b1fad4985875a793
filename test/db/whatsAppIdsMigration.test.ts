import { sql } from 'kysely';
import { migrateTo, migrateToLatest } from '../../src/db/database';
import { currentConsent } from '../../src/store/consent';
import { findLinkedContact, senderKeys } from '../../src/store/contactLinks';
import { lastInboundAt } from '../../src/store/conversationWindows';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

/** Migration 0007: rows keyed earlier by a raw WhatsApp id move to the canonical number, so an old STOP holds. */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrateTo(database.db, '0006_receipts_by_message');
});
afterAll(async () => {
  await database?.drop();
});

it('moves consent, windows and contact links keyed by 521… or a Brazilian id without the ninth digit to the canonical number', async () => {
  const { db } = database;
  const location = 'loc-migration';
  const earlier = new Date('2026-11-01T10:00:00Z');
  const later = new Date('2026-11-02T10:00:00Z');
  await db
    .insertInto('consent_events')
    .values([
      { location_id: location, phone_e164: '+525512345678', status: 'opted_in', source: 'api_import' },
      { location_id: location, phone_e164: '+5215512345678', status: 'opted_out', source: 'keyword' },
      { location_id: location, phone_e164: '+15864603685', status: 'opted_out', source: 'keyword' },
    ])
    .execute();
  await db
    .insertInto('conversation_windows')
    .values([
      { location_id: location, phone_e164: '+525512345678', last_inbound_at: earlier },
      { location_id: location, phone_e164: '+5215512345678', last_inbound_at: later },
      { location_id: location, phone_e164: '+551187654321', last_inbound_at: later },
      { location_id: location, phone_e164: '+551123456789', last_inbound_at: earlier },
    ])
    .execute();
  await db
    .insertInto('contact_links')
    .values([
      { location_id: location, sender_key: '+551187654321', contact_id: 'contact-br', phone_e164: '+551187654321' },
      { location_id: location, sender_key: 'user:BR.1', contact_id: 'contact-br', phone_e164: '+551187654321' },
      { location_id: location, sender_key: '+525512345678', contact_id: 'contact-mx', phone_e164: '+525512345678' },
      { location_id: location, sender_key: '+5215512345678', contact_id: 'contact-mx-duplicate', phone_e164: '+5215512345678' },
    ])
    .execute();

  await migrateToLatest(db);

  // The later STOP, recorded under 521…, is the current consent of +52…; other numbers keep theirs.
  expect(await currentConsent(db, location, '+525512345678')).toBe('opted_out');
  expect(await currentConsent(db, location, '+15864603685')).toBe('opted_out');
  expect(await lastInboundAt(db, location, '+525512345678')).toEqual(later);
  expect(await lastInboundAt(db, location, '+5511987654321')).toEqual(later);
  expect(await lastInboundAt(db, location, '+551123456789')).toEqual(earlier); // a landline keeps its number
  const { rows } = await sql<{ phone_e164: string }>`select phone_e164 from conversation_windows where location_id = ${location} order by phone_e164`.execute(db);
  expect(rows.map((row) => row.phone_e164)).toEqual(['+525512345678', '+551123456789', '+5511987654321']);

  // Links: moved to the canonical key; where the canonical key had its own link, that one stays.
  expect(await findLinkedContact(db, location, senderKeys('+5511987654321', null))).toEqual({ contactId: 'contact-br', phoneE164: '+5511987654321' });
  expect(await findLinkedContact(db, location, senderKeys(null, 'BR.1'))).toEqual({ contactId: 'contact-br', phoneE164: '+5511987654321' });
  expect(await findLinkedContact(db, location, senderKeys('+525512345678', null))).toEqual({ contactId: 'contact-mx', phoneE164: '+525512345678' });
  const keys = await db.selectFrom('contact_links').select('sender_key').where('location_id', '=', location).orderBy('sender_key').execute();
  expect(keys.map((key) => key.sender_key)).toEqual(['+525512345678', '+5511987654321', 'user:BR.1']);
  expect(await db.selectFrom('whatsapp_ids').selectAll().execute()).toEqual([]);
});
