import type { Db } from '../db/database';
import type { ConsentStatus } from '../domain/consent';
import { canonicalWhatsAppNumber } from '../domain/phone';

/**
 * The consent ledger, append-only, the one module that writes it. Keyed by the canonical number
 * (canonicalWhatsAppNumber): a STOP from `521…` holds for `+52…`.
 */

/** Where a consent change came from; kept with every entry of the append-only history. */
export const CONSENT_SOURCES = ['keyword', 'api_import', 'highlevel_form', 'highlevel_tag', 'inbound_conversation'] as const;

export interface ConsentEntry {
  locationId: string;
  phoneE164: string;
  status: ConsentStatus;
  source: string;
  evidence?: string | null;
}

const INSERT_CHUNK = 500;

/** Appends many entries in one transaction (a bulk import is all or nothing at the database level). */
export async function appendConsentEntries(db: Db, entries: ConsentEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < entries.length; start += INSERT_CHUNK) {
      await trx
        .insertInto('consent_events')
        .values(entries.slice(start, start + INSERT_CHUNK).map(consentRow))
        .execute();
    }
  });
  return entries.length;
}

export interface ConsentHistoryEntry {
  status: ConsentStatus;
  source: string;
  evidence: string | null;
  recordedAt: Date;
}

/** Oldest first; the last entry is the current status. */
export async function consentHistory(db: Db, locationId: string, phoneE164: string): Promise<ConsentHistoryEntry[]> {
  const rows = await db
    .selectFrom('consent_events')
    .select(['status', 'source', 'evidence', 'recorded_at'])
    .where('location_id', '=', locationId)
    .where('phone_e164', '=', canonicalWhatsAppNumber(phoneE164))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ status: row.status, source: row.source, evidence: row.evidence, recordedAt: row.recorded_at }));
}

export async function currentConsent(db: Db, locationId: string, phoneE164: string): Promise<ConsentStatus> {
  const latest = await db
    .selectFrom('consent_events')
    .select('status')
    .where('location_id', '=', locationId)
    .where('phone_e164', '=', canonicalWhatsAppNumber(phoneE164))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest?.status ?? 'unknown';
}

/** One entry, in the caller's transaction when `db` is one (a keyword's consent change commits with its message). */
export async function appendConsent(db: Db, entry: ConsentEntry): Promise<void> {
  await db.insertInto('consent_events').values(consentRow(entry)).execute();
}

function consentRow(entry: ConsentEntry) {
  return { location_id: entry.locationId, phone_e164: canonicalWhatsAppNumber(entry.phoneE164), status: entry.status, source: entry.source, evidence: entry.evidence ?? null };
}
