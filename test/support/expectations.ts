import { ApplicationFailure, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FAILURE, type DeliveryFailure } from '../../src/domain/failures';
import { followsPushRule, type HighLevelStatus } from '../../src/domain/deliveryStatus';

/**
 * The statuses HighLevel received follow the push rule (only the furthest of those that arrived together, never
 * backwards) and end at `final`: `['delivered', 'read']` and `['read']` both pass, whatever the receipts' timing.
 */
export function expectPushedStatuses(pushed: readonly string[], final: HighLevelStatus): void {
  if (!followsPushRule(pushed, final)) throw new Error(`HighLevel received ${JSON.stringify(pushed)}, expected forward-only statuses ending in "${final}"`);
}

/** The run that handled a message is still the only one: a redelivery started nothing (no sleep needed to know). */
export async function expectSameRun(temporal: Client, workflowId: string, runId: string): Promise<void> {
  const latest = await temporal.workflow.getHandle(workflowId).describe();
  if (latest.runId !== runId) throw new Error(`${workflowId} has a new run ${latest.runId} after ${runId}`);
}

/** No workflow was ever started under this id. */
export async function expectNoWorkflow(temporal: Client, workflowId: string): Promise<void> {
  try {
    const found = await temporal.workflow.getHandle(workflowId).describe();
    throw new Error(`${workflowId} exists (run ${found.runId}, ${found.status.name})`);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/**
 * What a delivery workflow ended with: its result, or, for a failed delivery (a failed workflow since v4), the
 * same shape read from the failure: `{ status: 'failed', reason, code, errorType }`.
 */
export async function deliveryOutcome(temporal: Client, workflowId: string): Promise<Record<string, unknown>> {
  try {
    return await temporal.workflow.getHandle(workflowId).result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure) || error.cause.type !== FAILURE.deliveryFailed) throw error;
    const failure = error.cause.details?.[0] as DeliveryFailure;
    return { status: 'failed', reason: error.cause.message, code: failure.code, errorType: failure.channel };
  }
}
