import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../src/db/database';
import type { LocationRow } from '../src/db/schema';
import { FAILURE } from '../src/domain/failures';
import { findLocationRecent } from '../src/store/locations';

/** The location an activity works for; a location that is not configured fails the activity for good. */
export async function requireLocation(db: Db, locationId: string): Promise<LocationRow> {
  const location = await findLocationRecent(db, locationId);
  if (!location) throw ApplicationFailure.nonRetryable(`location ${locationId} is not configured`, FAILURE.unknownLocation);
  return location;
}
