import { migrateTo, migrateToLatest } from '../../src/db/database';
import { ledgerTimeline, recordLedgerEvents } from '../../src/store/ledger';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

/**
 * A delivery report run again (a local activity whose workflow task the server refused, a worker that died after the
 * write) adds its ledger events once: each report is a step (`report:<n>`, migration 0011).
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const messageId = 'deliver:loc-s:hl-1';
const read = [
  { type: 'status', detail: { status: 'read', channel: 'whatsapp' } },
  { type: 'status_pushed', detail: { status: 'read' } },
];

it('writes the events of a report step once however often it runs, and the row change each time (the same change)', async () => {
  await database.db.insertInto('messages').values({ id: messageId, location_id: 'loc-s', contact_id: 'c1', highlevel_message_id: 'hl-1', status: 'delivered' }).execute();
  for (let run = 0; run < 3; run += 1) await recordLedgerEvents(database.db, messageId, read, { status: 'read' }, { step: 'report:2' });
  const timeline = await ledgerTimeline(database.db, messageId);
  expect(timeline.map((event) => [event.type, event.step])).toEqual([
    ['status', 'report:2'],
    ['status_pushed', 'report:2'],
  ]);
  const row = await database.db.selectFrom('messages').select('status').where('id', '=', messageId).executeTakeFirstOrThrow();
  expect(row.status).toBe('read');
});

it('keeps every event written without a step (older workflow versions, the other steps)', async () => {
  await recordLedgerEvents(database.db, messageId, [{ type: 'note', detail: {} }]);
  await recordLedgerEvents(database.db, messageId, [{ type: 'note', detail: {} }]);
  const notes = (await ledgerTimeline(database.db, messageId)).filter((event) => event.type === 'note');
  expect(notes).toHaveLength(2);
});

it('migrates down and up again with the events kept', async () => {
  await migrateTo(database.db, '0010_costs');
  await migrateToLatest(database.db);
  expect((await ledgerTimeline(database.db, messageId)).length).toBe(4);
});
