import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { TEMPLATE_SYNC_SCHEDULE_ID } from '../../workflows/shared';
import type { syncTemplates } from '../../workflows/syncTemplates';

export interface TemplateScheduleOptions {
  taskQueue: string;
  /** How often every location's templates are refreshed; default 6 hours. */
  every?: Duration;
  /** Default TEMPLATE_SYNC_SCHEDULE_ID ('template-sync'); tests use their own. */
  scheduleId?: string;
}

/**
 * Creates (or brings up to date) the Temporal Schedule that runs `syncTemplates` for every location.
 * Idempotent: call it at every worker/app start. A new schedule also runs once right away, so a fresh
 * install has its templates without waiting for the first interval. Overlapping runs are skipped.
 */
export async function ensureTemplateSyncSchedule(client: Client, options: TemplateScheduleOptions): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = options.scheduleId ?? TEMPLATE_SYNC_SCHEDULE_ID;
  const spec: ScheduleSpec = { intervals: [{ every: options.every ?? '6h' }] };
  const action: ScheduleOptionsStartWorkflowAction<typeof syncTemplates> = {
    type: 'startWorkflow',
    workflowType: 'syncTemplates',
    taskQueue: options.taskQueue,
    workflowId: `${scheduleId}:all`,
    args: [{}],
    workflowExecutionTimeout: '1h',
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10m' as Duration };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state: { triggerImmediately: true, note: 'WhatsApp template sync' } });
    return { scheduleId, created: true };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    spec,
    action,
    policies,
    state: { paused: previous.state.paused, ...(previous.state.note ? { note: previous.state.note } : {}) },
  }));
  return { scheduleId, created: false };
}
