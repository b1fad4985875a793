import type { Db } from '../db/database';
import type { ConsentStatus } from '../domain/consent';
import { canonicalWhatsAppNumber } from '../domain/phone';

// Consent is keyed by the canonical number (canonicalWhatsAppNumber): a STOP from `521…` holds for `+52…`.

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

export async function appendConsent(
  db: Db,
  event: { locationId: string; phoneE164: string; status: ConsentStatus; source: string; evidence?: string | null },
): Promise<void> {
  await db
    .insertInto('consent_events')
    .values({ location_id: event.locationId, phone_e164: canonicalWhatsAppNumber(event.phoneE164), status: event.status, source: event.source, evidence: event.evidence ?? null })
    .execute();
}
