import { sql } from 'kysely';
import type { Db } from '../db/database';
import { templateParts, type KnownTemplate, type ParameterFormat, type TemplateButton, type TemplateHeader } from '../domain/templateDefinitions';
import type { GraphTemplate } from '../providers/meta/templatesClient';

/**
 * The template registry: what the last sync saw in the location's WABA (or Twilio account: waba_id holds the Account SID,
 * meta_id the ContentSid), and every status change.
 */

export interface TemplateStatusChange {
  name: string;
  language: string;
  from: string | null;
  to: string;
}

export interface TemplateSyncSummary {
  locationId: string;
  wabaId: string;
  templates: number;
  changes: TemplateStatusChange[];
  syncedAt: string;
}

/** Meta no longer lists it (deleted in WhatsApp Manager): kept with this status so history stays readable. */
export const GONE_STATUS = 'DELETED';

const formatOf = (value: string | undefined): ParameterFormat => (String(value ?? '').toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL');

/** Stores one complete listing: upserts what Meta lists, marks what it no longer lists, records status changes. */
export async function applyTemplateSync(db: Db, locationId: string, wabaId: string, listed: GraphTemplate[]): Promise<TemplateSyncSummary> {
  return db.transaction().execute(async (trx) => {
    const stored = await trx.selectFrom('whatsapp_templates').select(['name', 'language', 'status']).where('location_id', '=', locationId).execute();
    const before = new Map(stored.map((row) => [`${row.name}/${row.language}`, row.status]));
    const seen = new Set<string>();
    const changes: TemplateStatusChange[] = [];
    for (const template of listed) {
      const key = `${template.name}/${template.language}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const status = String(template.status ?? '').toUpperCase();
      const components = Array.isArray(template.components) ? template.components : [];
      const parts = templateParts(components);
      const row = {
        location_id: locationId,
        waba_id: wabaId,
        meta_id: template.id ?? null,
        name: template.name,
        language: template.language,
        category: String(template.category ?? '').toUpperCase(),
        status,
        parameter_format: formatOf(template.parameter_format),
        components: JSON.stringify(components),
        body: parts.body,
        header: parts.header ? JSON.stringify(parts.header) : null,
        footer: parts.footer,
        buttons: JSON.stringify(parts.buttons),
        last_synced_at: sql<Date>`now()`,
      };
      const { location_id: _l, name: _n, language: _g, ...updates } = row;
      await trx
        .insertInto('whatsapp_templates')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['location_id', 'name', 'language']).doUpdateSet({
            ...updates,
            status_changed_at: sql<Date>`case when whatsapp_templates.status <> excluded.status then now() else whatsapp_templates.status_changed_at end`,
          }),
        )
        .execute();
      const previous = before.get(key);
      if (previous !== status) changes.push({ name: template.name, language: template.language, from: previous ?? null, to: status });
    }
    for (const row of stored) {
      if (seen.has(`${row.name}/${row.language}`) || row.status === GONE_STATUS) continue;
      await trx
        .updateTable('whatsapp_templates')
        .set({ status: GONE_STATUS, status_changed_at: sql<Date>`now()`, last_synced_at: sql<Date>`now()` })
        .where('location_id', '=', locationId)
        .where('name', '=', row.name)
        .where('language', '=', row.language)
        .execute();
      changes.push({ name: row.name, language: row.language, from: row.status, to: GONE_STATUS });
    }
    if (changes.length > 0) {
      await trx
        .insertInto('whatsapp_template_status_changes')
        .values(changes.map((change) => ({ location_id: locationId, name: change.name, language: change.language, from_status: change.from, to_status: change.to })))
        .execute();
    }
    const syncedAt = new Date();
    await trx
      .insertInto('template_settings')
      .values({ location_id: locationId, last_synced_at: syncedAt, last_sync_error: null, last_sync_error_at: null })
      .onConflict((conflict) => conflict.column('location_id').doUpdateSet({ last_synced_at: syncedAt, last_sync_error: null, last_sync_error_at: null, updated_at: sql<Date>`now()` }))
      .execute();
    return { locationId, wabaId, templates: seen.size, changes, syncedAt: syncedAt.toISOString() };
  });
}

export async function recordTemplateSyncFailure(db: Db, locationId: string, error: string): Promise<void> {
  const at = new Date();
  await db
    .insertInto('template_settings')
    .values({ location_id: locationId, last_sync_error: error, last_sync_error_at: at })
    .onConflict((conflict) => conflict.column('location_id').doUpdateSet({ last_sync_error: error, last_sync_error_at: at, updated_at: sql<Date>`now()` }))
    .execute();
}

export async function listTemplateRows(db: Db, locationId: string) {
  return db.selectFrom('whatsapp_templates').selectAll().where('location_id', '=', locationId).orderBy('name').orderBy('language').execute();
}

type TemplateRow = Awaited<ReturnType<typeof listTemplateRows>>[number];

/** A stored row as the matcher (and the admin API) sees a template. */
export function toKnownTemplate(row: TemplateRow): KnownTemplate {
  return {
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    parameterFormat: row.parameter_format,
    body: row.body,
    header: (row.header as TemplateHeader | null) ?? null,
    footer: row.footer,
    buttons: row.buttons as unknown as TemplateButton[],
  };
}

export async function knownTemplates(db: Db, locationId: string): Promise<KnownTemplate[]> {
  return (await listTemplateRows(db, locationId)).map(toKnownTemplate);
}

export async function templateStatusHistory(db: Db, locationId: string) {
  return db
    .selectFrom('whatsapp_template_status_changes')
    .select(['name', 'language', 'from_status', 'to_status', 'source', 'changed_at'])
    .where('location_id', '=', locationId)
    .orderBy('id')
    .execute();
}

export async function findTemplateSettings(db: Db, locationId: string) {
  return db.selectFrom('template_settings').selectAll().where('location_id', '=', locationId).executeTakeFirst();
}

export async function saveTemplateLanguage(db: Db, locationId: string, language: string | null): Promise<void> {
  await db
    .insertInto('template_settings')
    .values({ location_id: locationId, language })
    .onConflict((conflict) => conflict.column('location_id').doUpdateSet({ language, updated_at: sql<Date>`now()` }))
    .execute();
}

/** Locations whose templates the scheduled sync refreshes: Cloud API with a WABA and a token, or Twilio with an account. */
export async function locationsWithTemplates(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('locations')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('whatsapp_backend', '=', 'cloud'), eb('whatsapp_waba_id', 'is not', null), eb('whatsapp_access_token_enc', 'is not', null)]),
        eb.and([eb('whatsapp_backend', '=', 'twilio'), eb('twilio_account_sid', 'is not', null), eb('twilio_auth_token_enc', 'is not', null)]),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The synced Twilio Content template (HX…) for a template name and language, with its definition; Meta ids never qualify. */
export async function syncedContentFor(db: Db, locationId: string, name: string, language: string): Promise<{ contentSid: string; template: KnownTemplate } | undefined> {
  const row = await db
    .selectFrom('whatsapp_templates')
    .selectAll()
    .where('location_id', '=', locationId)
    .where('name', '=', name)
    .where('language', '=', language)
    .where('status', '<>', GONE_STATUS)
    .executeTakeFirst();
  return row?.meta_id?.startsWith('HX') ? { contentSid: row.meta_id, template: toKnownTemplate(row) } : undefined;
}
