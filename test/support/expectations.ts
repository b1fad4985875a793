import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
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
