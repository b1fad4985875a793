import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * WhatsApp ids that are not the contact's number (src/domain/phone.ts canonicalWhatsAppNumber): the ids Meta's send
 * responses revealed (contacts[].input → wa_id), per location, and the rows keyed earlier by a raw id moved to the
 * canonical number, so a STOP recorded under `+521…` is honoured for `+52…`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('whatsapp_ids')
    .addColumn('location_id', 'text', (col) => col.notNull())
    .addColumn('wa_id', 'text', (col) => col.notNull())
    .addColumn('phone_e164', 'text', (col) => col.notNull())
    .addColumn('learned_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('whatsapp_ids_pk', ['location_id', 'wa_id'])
    .execute();

  // The rule as it stood when this ran (frozen here on purpose): Mexico 521 → 52, Brazil mobiles gain the ninth digit.
  const canonical = (column: string): RawBuilder<string> =>
    sql`regexp_replace(regexp_replace(${sql.ref(column)}, '^\\+521(\\d{10})$', '+52\\1'), '^\\+55([1-9]{2})([6-9]\\d{7})$', '+55\\19\\2')`;

  await sql`update consent_events set phone_e164 = ${canonical('phone_e164')} where ${canonical('phone_e164')} <> phone_e164`.execute(db);
  await sql`
    insert into conversation_windows (location_id, phone_e164, last_inbound_at)
    select location_id, ${canonical('phone_e164')}, last_inbound_at from conversation_windows where ${canonical('phone_e164')} <> phone_e164
    on conflict (location_id, phone_e164) do update set last_inbound_at = greatest(conversation_windows.last_inbound_at, excluded.last_inbound_at)`.execute(db);
  await sql`delete from conversation_windows where ${canonical('phone_e164')} <> phone_e164`.execute(db);
  // A sender's link moves to the canonical key unless that key already has one (then the canonical one stays).
  await sql`
    insert into contact_links (location_id, sender_key, contact_id, phone_e164, created_at, updated_at)
    select location_id, ${canonical('sender_key')}, contact_id, ${canonical('phone_e164')}, created_at, now() from contact_links
    where sender_key like '+%' and ${canonical('sender_key')} <> sender_key
    on conflict (location_id, sender_key) do nothing`.execute(db);
  await sql`delete from contact_links where sender_key like '+%' and ${canonical('sender_key')} <> sender_key`.execute(db);
  await sql`update contact_links set phone_e164 = ${canonical('phone_e164')} where ${canonical('phone_e164')} <> phone_e164`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('whatsapp_ids').execute();
}
