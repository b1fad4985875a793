import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { MessageRow } from '../db/schema';

/** What the console searches the ledger by; every field optional. */
export interface MessageSearch {
  locationId?: string;
  /** The last digits of the number (or all of them). */
  phoneDigits?: string;
  highLevelMessageId?: string;
  status?: string;
  channel?: string;
  /** A failure code (exact) or words of the status reason. */
  reason?: string;
  since?: Date;
  until?: Date;
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** Newest first, at most `limit`. */
export async function searchMessages(db: Db, search: MessageSearch, limit: number): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll();
  if (search.locationId) query = query.where('location_id', '=', search.locationId);
  if (search.phoneDigits) query = query.where('phone_e164', 'like', `%${likeEscaped(search.phoneDigits)}`);
  if (search.highLevelMessageId) query = query.where('highlevel_message_id', '=', search.highLevelMessageId);
  if (search.status) query = query.where('status', '=', search.status);
  if (search.channel) query = query.where('channel', '=', search.channel as MessageRow['channel']);
  if (search.reason) {
    const reason = search.reason;
    query = query.where((where) => where.or([where('error_code', '=', reason), where('status_reason', 'ilike', `%${likeEscaped(reason)}%`)]));
  }
  if (search.since) query = query.where('created_at', '>=', search.since);
  if (search.until) query = query.where('created_at', '<', search.until);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export const OUTCOMES = ['whatsapp', 'template', 'sms_fallback', 'failed', 'in_progress'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface DailyOutcomes {
  locationId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  counts: Record<Outcome, number>;
}

/**
 * Messages per location and day (UTC) by how they ended: WhatsApp free text, a WhatsApp template, the SMS fallback,
 * failed, or not settled yet (received, held, sent).
 */
export async function outcomesByDay(db: Db, since: Date): Promise<DailyOutcomes[]> {
  const { rows } = await sql<{ location_id: string; day: string; outcome: Outcome; count: string }>`
    select m.location_id, to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
      case
        when m.status = 'failed' then 'failed'
        when m.channel in ('sms', 'both') then 'sms_fallback'
        when m.status not in ('delivered', 'read') then 'in_progress'
        when exists (select 1 from message_events e where e.message_id = m.id and e.type = 'sent' and e.detail->>'kind' = 'template') then 'template'
        else 'whatsapp'
      end as outcome,
      count(*) as count
    from messages m
    where m.created_at >= ${since}
    group by 1, 2, 3
    order by 1, 2`.execute(db);
  const byKey = new Map<string, DailyOutcomes>();
  for (const row of rows) {
    const key = `${row.location_id}|${row.day}`;
    const entry = byKey.get(key) ?? { locationId: row.location_id, day: row.day, counts: { whatsapp: 0, template: 0, sms_fallback: 0, failed: 0, in_progress: 0 } };
    entry.counts[row.outcome] += Number(row.count);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
