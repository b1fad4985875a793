import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ReplayItemsTable, ReplaysTable } from '../db/schema';

/** What a replay selects on (all optional but at least a location or message ids; the api checks that). */
export interface ReplayFilter {
  locationId?: string;
  since?: string;
  until?: string;
  codes?: string[];
  channel?: 'whatsapp' | 'sms' | 'none';
  /** Ledger ids (`deliver:<location>:<message>`). */
  messageIds?: string[];
}

/** A message that failed at some point, with its last failure and whether it ever reached the contact. */
export interface ReplayCandidate {
  messageId: string;
  locationId: string;
  highLevelMessageId: string;
  status: string;
  channel: string;
  provider: string | null;
  createdAt: Date;
  lastFailure: { code: string; reason: string; at: Date };
  reachedContact: boolean;
}

/**
 * The messages of the filter that failed at least once (a `failed` event on their timeline), oldest first: a replay
 * lists them all, so a second identical replay reports those a first one delivered. `limit` bounds the answer.
 */
export async function findReplayCandidates(db: Db, filter: ReplayFilter, limit: number): Promise<ReplayCandidate[]> {
  const conditions = [sql`true`];
  if (filter.locationId) conditions.push(sql`m.location_id = ${filter.locationId}`);
  if (filter.since) conditions.push(sql`m.created_at >= ${filter.since}`);
  if (filter.until) conditions.push(sql`m.created_at < ${filter.until}`);
  if (filter.channel) conditions.push(sql`m.channel = ${filter.channel}`);
  if (filter.messageIds?.length) conditions.push(sql`m.id = any(${filter.messageIds}::text[])`);
  if (filter.codes?.length) conditions.push(sql`f.detail->>'code' = any(${filter.codes}::text[])`);
  const { rows } = await sql<{
    id: string;
    location_id: string;
    highlevel_message_id: string;
    status: string;
    channel: string;
    provider: string | null;
    created_at: Date;
    detail: { code?: unknown; reason?: unknown };
    failed_at: Date;
    receipt_reached: boolean;
  }>`select m.id, m.location_id, m.highlevel_message_id, m.status, m.channel, m.provider, m.created_at, f.detail, f.occurred_at as failed_at,
      exists (select 1 from provider_receipts r where r.message_id = m.id and r.status in ('delivered', 'read')) as receipt_reached
    from messages m
    join lateral (select e.detail, e.occurred_at from message_events e where e.message_id = m.id and e.type = 'failed' order by e.id desc limit 1) f on true
    where ${sql.join(conditions, sql` and `)}
    order by m.created_at, m.id
    limit ${limit}`.execute(db);
  return rows.map((row) => ({
    messageId: row.id,
    locationId: row.location_id,
    highLevelMessageId: row.highlevel_message_id,
    status: row.status,
    channel: row.channel,
    provider: row.provider,
    createdAt: new Date(row.created_at),
    lastFailure: { code: String(row.detail.code ?? 'unknown'), reason: String(row.detail.reason ?? ''), at: new Date(row.failed_at) },
    reachedContact: row.receipt_reached,
  }));
}

/** The ledger facts of one message a replay item re-checks just before it acts. */
export async function replayFactsOf(db: Db, messageId: string): Promise<{ status: string; reachedContact: boolean; locationId: string } | undefined> {
  const { rows } = await sql<{ status: string; location_id: string; reached: boolean }>`select m.status, m.location_id,
      exists (select 1 from provider_receipts r where r.message_id = m.id and r.status in ('delivered', 'read')) as reached
    from messages m where m.id = ${messageId}`.execute(db);
  const row = rows[0];
  return row && { status: row.status, reachedContact: row.reached, locationId: row.location_id };
}

/** Held messages of a location, oldest first (what a resume releases, in order). */
export async function heldMessageIds(db: Db, locationId: string): Promise<string[]> {
  const rows = await db.selectFrom('messages').select('id').where('location_id', '=', locationId).where('status', '=', 'held').orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => row.id);
}

export interface NewReplayItem {
  messageId: string;
  state: 'pending' | 'skipped';
  detail: Record<string, unknown>;
}

export async function createReplay(
  db: Db,
  replay: { id: string; kind: ReplaysTable['kind']; locationId: string | null; filter: Record<string, unknown>; requestedBy: string; note: string | null },
  items: NewReplayItem[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('replays')
      .values({ id: replay.id, kind: replay.kind, location_id: replay.locationId, filter: JSON.stringify(replay.filter), requested_by: replay.requestedBy, note: replay.note })
      .execute();
    for (let start = 0; start < items.length; start += 1000) {
      const chunk = items.slice(start, start + 1000).map((item) => ({ replay_id: replay.id, message_id: item.messageId, state: item.state, detail: JSON.stringify(item.detail) }));
      await trx.insertInto('replay_items').values(chunk).execute();
    }
  });
}

export interface ClaimedItem {
  id: string;
  replayId: string;
  kind: ReplaysTable['kind'];
  messageId: string;
  requestedBy: string;
  note: string | null;
  detail: Record<string, unknown>;
}

/**
 * The next open item, oldest first, claimed (several api processes share the work); an item claimed longer than
 * `staleMs` ago belongs to a process that died and is claimed again.
 */
export async function claimNextItem(db: Db, staleMs: number): Promise<ClaimedItem | undefined> {
  const { rows } = await sql<{ id: string; replay_id: string; message_id: string; detail: Record<string, unknown>; kind: ReplaysTable['kind']; requested_by: string; note: string | null }>`
    with next as (
      select id from replay_items
      where state = 'pending' or (state = 'claimed' and claimed_at < now() - make_interval(secs => ${staleMs / 1000}))
      order by id limit 1 for update skip locked
    ), claimed as (
      update replay_items i set state = 'claimed', claimed_at = now(), updated_at = now() from next where i.id = next.id
      returning i.id, i.replay_id, i.message_id, i.detail
    )
    select c.*, r.kind, r.requested_by, r.note from claimed c join replays r on r.id = c.replay_id`.execute(db);
  const row = rows[0];
  return row && { id: String(row.id), replayId: row.replay_id, kind: row.kind, messageId: row.message_id, requestedBy: row.requested_by, note: row.note, detail: row.detail };
}

export async function finishItem(db: Db, id: string, state: Exclude<ReplayItemsTable['state'], 'pending' | 'claimed'>, detail: Record<string, unknown>, runId?: string): Promise<void> {
  await db
    .updateTable('replay_items')
    .set({ state, detail: sql`detail || ${JSON.stringify(detail)}::jsonb` as never, run_id: runId ?? null, claimed_at: null, updated_at: sql`now()` as never })
    .where('id', '=', id)
    .execute();
}

export async function findReplay(db: Db, id: string) {
  return db.selectFrom('replays').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A replay's items with their message's ledger status now (what a started replay became). */
export async function replayItemsWithStatus(db: Db, replayId: string) {
  return db
    .selectFrom('replay_items as i')
    .leftJoin('messages as m', 'm.id', 'i.message_id')
    .select(['i.id', 'i.message_id', 'i.state', 'i.detail', 'i.run_id', 'm.status as ledger_status', 'm.status_reason', 'm.highlevel_message_id'])
    // The replay's run has planned (until then the row still shows the failed run's outcome).
    .select(sql<boolean>`exists (select 1 from message_events e where e.message_id = i.message_id and e.type = 'decided' and e.detail->>'replay' = i.id::text)`.as('run_planned'))
    .where('i.replay_id', '=', replayId)
    .orderBy('i.id')
    .execute();
}
