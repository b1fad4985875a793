/**
 * History events and Temporal Cloud billable actions, counted from the workflow histories of a run.
 *
 * Billable actions per https://docs.temporal.io/cloud/actions, as far as a history shows them:
 * - WorkflowExecutionStarted: 1 (workflow start; search attributes given at start are free)
 * - ActivityTaskStarted: `attempt` (each start and each retry of an activity is an action; the history keeps one
 *   Started event per activity, carrying the attempt number; an activity scheduled but never started counts 0)
 * - workflow tasks that record markers: 1 per WorkflowTaskCompleted whose commands include RecordMarker, however
 *   many markers (local activities; `patched()` markers are RecordMarker commands too, shown apart)
 * - WorkflowExecutionSignaled: 1 per signal received (signals sent by a workflow are counted once, at the receiver)
 * - TimerStarted: 1 (including the implicit timer of `condition(fn, timeout)`)
 * - UpsertWorkflowSearchAttributes: 1 per command, unless it only sets TemporalChangeVersion (exempt)
 * - StartChildWorkflowExecutionInitiated: 2 (start + execution)
 * - WorkflowExecutionUpdateAccepted / Rejected: 1
 * - WorkflowPropertiesModified (memo upsert) and WorkflowExecutionOptionsUpdated: 1
 * Not in a history and not counted: queries, activity heartbeats, workflow-task heartbeats of long local activities,
 * schedules (the template sync is not per message).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const E = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryCounts {
  workflows: number;
  /** Histories whose last event closes the workflow. */
  closed: number;
  /** Workflows that ended Failed / TimedOut / Terminated / Canceled. */
  unsuccessful: number;
  events: number;
  workflowTasks: number;
  actions: {
    starts: number;
    activityAttempts: number;
    localActivityTasks: number;
    patchMarkerOnlyTasks: number;
    signals: number;
    timers: number;
    searchAttributeUpserts: number;
    childWorkflows: number;
    updates: number;
    other: number;
  };
  /** Sum of `actions`. */
  billableActions: number;
  /** Event type name → count, over all histories. */
  eventTypes: Record<string, number>;
  activityTypes: Record<string, number>;
}

export function emptyCounts(): HistoryCounts {
  return {
    workflows: 0,
    closed: 0,
    unsuccessful: 0,
    events: 0,
    workflowTasks: 0,
    actions: { starts: 0, activityAttempts: 0, localActivityTasks: 0, patchMarkerOnlyTasks: 0, signals: 0, timers: 0, searchAttributeUpserts: 0, childWorkflows: 0, updates: 0, other: 0 },
    billableActions: 0,
    eventTypes: {},
    activityTypes: {},
  };
}

const CLOSING = new Set<number>([
  E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

function eventName(type: number | null | undefined): string {
  const name = E[type ?? 0] as string | undefined;
  return (name ?? `EVENT_${type}`).replace(/^EVENT_TYPE_/, '');
}

export function addHistory(counts: HistoryCounts, events: HistoryEvent[]): void {
  counts.workflows += 1;
  counts.events += events.length;
  const last = events.at(-1)?.eventType ?? 0;
  if (CLOSING.has(last)) counts.closed += 1;
  if (CLOSING.has(last) && last !== E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED && last !== E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) counts.unsuccessful += 1;

  const markersByTask = new Map<string, { localActivity: boolean }>();
  const activityTypeBySchedule = new Map<string, string>();
  for (const event of events) {
    const type = event.eventType ?? 0;
    const name = eventName(type);
    counts.eventTypes[name] = (counts.eventTypes[name] ?? 0) + 1;
    switch (type) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        counts.actions.starts += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        counts.workflowTasks += 1;
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const activityType = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        activityTypeBySchedule.set(String(event.eventId), activityType);
        counts.activityTypes[activityType] = (counts.activityTypes[activityType] ?? 0) + 1;
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        counts.actions.activityAttempts += Math.max(1, event.activityTaskStartedEventAttributes?.attempt ?? 1);
        break;
      case E.EVENT_TYPE_MARKER_RECORDED: {
        const attributes = event.markerRecordedEventAttributes;
        const task = String(attributes?.workflowTaskCompletedEventId ?? event.eventId);
        const entry = markersByTask.get(task) ?? { localActivity: false };
        if (attributes?.markerName === 'core_local_activity') {
          entry.localActivity = true;
          counts.activityTypes['(local activity)'] = (counts.activityTypes['(local activity)'] ?? 0) + 1;
        }
        markersByTask.set(task, entry);
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.actions.signals += 1;
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        counts.actions.timers += 1;
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (fields.some((field) => field !== 'TemporalChangeVersion')) counts.actions.searchAttributeUpserts += 1;
        break;
      }
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        counts.actions.childWorkflows += 2;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
        counts.actions.updates += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        counts.actions.other += 1;
        break;
      default:
        break;
    }
  }
  for (const entry of markersByTask.values()) {
    if (entry.localActivity) counts.actions.localActivityTasks += 1;
    else counts.actions.patchMarkerOnlyTasks += 1;
  }
  counts.billableActions = Object.values(counts.actions).reduce((sum, value) => sum + value, 0);
}

/**
 * Fetches the history of every workflow id (latest run), a few at a time, and counts them. Histories that are not
 * closed yet are re-fetched until closed or until `closeTimeoutMs` has passed (then counted as they are).
 */
export async function countHistories(client: Client, workflowIds: string[], options: { parallel?: number; closeTimeoutMs?: number } = {}): Promise<HistoryCounts> {
  const counts = emptyCounts();
  const deadline = Date.now() + (options.closeTimeoutMs ?? 30_000);
  let next = 0;
  await Promise.all(
    Array.from({ length: options.parallel ?? 8 }, async () => {
      while (next < workflowIds.length) {
        const workflowId = workflowIds[next++] as string;
        for (;;) {
          const history = await client.workflow.getHandle(workflowId).fetchHistory();
          const events = history.events ?? [];
          if (CLOSING.has(events.at(-1)?.eventType ?? 0) || Date.now() > deadline) {
            addHistory(counts, events);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }),
  );
  return counts;
}
