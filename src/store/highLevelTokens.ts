import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { HighLevelTokenRow } from '../db/schema';

/** A location's HighLevel tokens as stored (encrypted by the caller). */
export interface StoredTokens {
  company_id: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Date;
}

export async function saveHighLevelTokens(db: Db, locationId: string, tokens: StoredTokens): Promise<void> {
  const row = { location_id: locationId, ...tokens };
  await db
    .insertInto('highlevel_tokens')
    .values(row)
    .onConflict((conflict) => conflict.column('location_id').doUpdateSet({ ...row, updated_at: sql`now()` }))
    .execute();
}

export async function findHighLevelTokens(db: Db, locationId: string): Promise<HighLevelTokenRow | undefined> {
  return db.selectFrom('highlevel_tokens').selectAll().where('location_id', '=', locationId).executeTakeFirst();
}

/**
 * Runs `refresh` with the location's token row locked: refresh tokens are single-use, so concurrent refreshers wait and
 * the later ones see the winner's row. What `refresh` returns as `next` is written in the same transaction.
 */
export async function withLockedHighLevelTokens<T>(
  db: Db,
  locationId: string,
  refresh: (row: HighLevelTokenRow) => Promise<{ result: T; next?: Pick<StoredTokens, 'access_token_enc' | 'refresh_token_enc' | 'expires_at'> }>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('highlevel_tokens').selectAll().where('location_id', '=', locationId).forUpdate().executeTakeFirstOrThrow();
    const { result, next } = await refresh(row);
    if (next) await trx.updateTable('highlevel_tokens').set({ ...next, updated_at: sql`clock_timestamp()` }).where('location_id', '=', locationId).execute();
    return result;
  });
}
