import { proxyActivities, proxyLocalActivities, type LocalActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FAILURE, NON_RETRYABLE } from '../../src/domain/failures';

/*
 * Plan and send are local activities: both run in the first workflow task, which costs one billable action and one
 * history event per step instead of an action and three events each. Both are idempotent against the ledger, and a
 * send re-executed (a lost answer, a worker that died before the task completed) reconciles first.
 * Reports are ordinary activities: a report is often the last step, and a local activity in a task that completes
 * the workflow runs again when a receipt arrives meanwhile (the server refuses that completion); an activity's result
 * is recorded on its own, and it costs the same one action.
 */

/** Decide and open the ledger: database reads and one HighLevel contact lookup. */
export const planning = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Sends: transient errors are retried with backoff; a retry first reconciles (it may wait for receipts up to
 * SEND_RECONCILE_WAIT_SECONDS), so a send is never repeated.
 */
export const sending = proxyLocalActivities<Activities>({
  startToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Status pushes: HighLevel's early 403s and 429s are retried for up to an hour; a refusal for good is recorded. */
const REPORT_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: [FAILURE.unknownLocation] },
};
export const reporting = proxyActivities<Activities>(REPORT_OPTIONS);

/**
 * Reports pushed in the workflow task that took the receipt: one history event instead of six and no activity task.
 * v6: only those after which the workflow goes on listening (a task that completes the workflow is refused when a
 * receipt arrives meanwhile, and its local activities run again). v7: all, each report a ledger step written once.
 */
export const reportingInTask = proxyLocalActivities<Activities>(REPORT_OPTIONS);
