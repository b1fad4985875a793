import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/**
 * Counts every activity attempt by activity type and outcome (`completed`, or the error class of the failure:
 * the ApplicationFailure type, else the error's name), exported with the SDK's own metrics on the worker's /metrics.
 */
export class ActivityOutcomeMetrics implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const counter = this.context.metricMeter.createCounter('ghlwa_activity_outcomes', 'attempts', 'Activity attempts by type and outcome');
    const activity = this.context.info.activityType;
    try {
      const result = await next(input);
      counter.add(1, { activity, outcome: 'completed' });
      return result;
    } catch (error) {
      counter.add(1, { activity, outcome: errorClassOf(error) });
      throw error;
    }
  }
}

export function errorClassOf(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type) return error.type;
  return error instanceof Error ? error.name : 'unknown';
}
