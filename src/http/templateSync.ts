import type { SyncTemplatesResult } from '../../workflows/syncTemplates';
import { templateSyncWorkflowId } from '../../workflows/shared';
import { findLocation } from '../store/locations';
import type { HttpContext } from './context';

/** How a sync asked for now went: what the admin API and the console both tell their caller. */
export type TemplateSyncOutcome =
  | { kind: 'not_configured'; missing: string }
  | { kind: 'temporal_unavailable'; error: unknown }
  | { kind: 'still_running'; workflowId: string }
  | { kind: 'done'; workflowId: string; result: SyncTemplatesResult };

/**
 * Starts the location's template sync now (or joins the one running: one workflow id per location) and, with
 * `waitMs`, waits that long for its result.
 */
export async function syncTemplatesNow(ctx: HttpContext, locationId: string, waitMs = 0): Promise<TemplateSyncOutcome> {
  const location = await findLocation(ctx.db, locationId);
  if (location?.whatsapp_backend === 'twilio' ? !location.twilio_account_sid : !location?.whatsapp_waba_id) {
    return { kind: 'not_configured', missing: location?.whatsapp_backend === 'twilio' ? 'Twilio account (set twilio.accountSid)' : 'WhatsApp Business Account id (set whatsapp.wabaId)' };
  }
  const workflowId = templateSyncWorkflowId(locationId);
  let handle;
  try {
    handle = await ctx.temporal.workflow.start('syncTemplates', {
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ locationId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `template sync for ${locationId}`,
    });
  } catch (error) {
    return { kind: 'temporal_unavailable', error };
  }
  if (waitMs <= 0) return { kind: 'still_running', workflowId };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  const result = (await Promise.race([handle.result(), timedOut]).finally(() => clearTimeout(timer))) as SyncTemplatesResult | undefined;
  return result ? { kind: 'done', workflowId, result } : { kind: 'still_running', workflowId };
}
