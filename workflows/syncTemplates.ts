import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TemplateSyncSummary } from '../src/store/templates';
import { FAILURE } from '../src/domain/failures';

const templates = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [FAILURE.unknownLocation, FAILURE.templateSyncRejected],
  },
});

export interface SyncTemplatesInput {
  /** One location (forced sync from the admin API); omitted: every location with a WABA (the schedule). */
  locationId?: string;
}

export interface SyncTemplatesResult {
  synced: TemplateSyncSummary[];
  failed: Array<{ locationId: string; reason: string }>;
}

/** Locations synced side by side; Meta's management limit is per WABA, so this only bounds our own load. */
const CONCURRENCY = 4;

/** Refreshes the template registry from Meta; one location failing never stops the others. */
export async function syncTemplates(input: SyncTemplatesInput = {}): Promise<SyncTemplatesResult> {
  const locationIds = input.locationId ? [input.locationId] : await templates.listTemplateSyncLocations();
  const result: SyncTemplatesResult = { synced: [], failed: [] };
  for (let start = 0; start < locationIds.length; start += CONCURRENCY) {
    await Promise.all(
      locationIds.slice(start, start + CONCURRENCY).map(async (locationId) => {
        try {
          result.synced.push(await templates.syncLocationTemplates({ locationId }));
        } catch (error) {
          result.failed.push({ locationId, reason: failureReason(error) });
        }
      }),
    );
  }
  return result;
}

function failureReason(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}
