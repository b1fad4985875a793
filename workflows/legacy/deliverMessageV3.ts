import { ActivityFailure, ApplicationFailure, condition, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PolicyResult, DeliveryPlan } from '../../activities/policyActivities';
import type { SendRejection } from '../../activities/whatsAppActivities';
import { highLevelStatusFor, reachedRecipient, type DeliveryStatus } from '../../src/domain/deliveryStatus';
import { fallbackReason, triggers, type FallbackTrigger } from '../../src/domain/fallbackPolicy';
import { classifyMetaError, describeMetaError } from '../../src/domain/metaErrors';
import { buildOutboundParts, type OutboundPart } from '../../src/domain/outboundContent';
import { DeliveryTracker } from './trackerV3';
import { highLevel, ledger, policy, sender } from './proxiesV3';
import { SEARCH_ATTRIBUTES, deliveryStateQuery, receiptSignal, type DeliverMessageInput, type DeliveryState, type ReceiptSignal } from '../shared';

/** Templates, 131047 re-decision and the SMS fallback; histories recorded before it replay the first version. */
export const TEMPLATES_AND_FALLBACK_PATCH = 'templates-and-sms-fallback';
/** A status HighLevel refuses is recorded in the ledger instead of failing the delivery workflow. */
export const STATUS_PUSH_FAILURES_RECORDED_PATCH = 'status-push-failures-recorded';

export interface DeliveryOutcome {
  status: DeliveryStatus | 'duplicate';
  channel: DeliveryState['channel'];
  reason?: string;
}

/**
 * Versions 1–3 of deliverMessage, frozen: only runs recorded before the lean version (v4) replay here.
 * Do not change the commands this code issues; fix forward in workflows/deliverMessage.ts.
 */
export async function deliverMessageV3(input: DeliverMessageInput): Promise<DeliveryOutcome> {
  const messageId = workflowInfo().workflowId;
  const inbox: ReceiptSignal[] = [];
  const tracker = new DeliveryTracker();
  const state: DeliveryState = { status: 'received', channel: 'none', parts: {} };
  setHandler(receiptSignal, (receipt) => void inbox.push(receipt));
  setHandler(deliveryStateQuery, () => ({ ...state, parts: tracker.partStates() }));

  const fresh = await ledger.openLedger({
    messageId,
    locationId: input.locationId,
    contactId: input.contactId,
    highLevelMessageId: input.highLevelMessageId,
    phoneE164: input.phoneE164,
    detail: { textLength: input.text.length, attachments: input.attachments.length, receivedAt: input.receivedAt },
  });
  if (!fresh) return { status: 'duplicate', channel: 'none', reason: 'this HighLevel message was already handled' };
  const v2 = patched(TEMPLATES_AND_FALLBACK_PATCH);

  const pushStatus = async (status: 'delivered' | 'read' | 'failed', error?: { code: string; type: string; message: string }) => {
    const push = () => highLevel.pushStatusToHighLevel({ locationId: input.locationId, highLevelMessageId: input.highLevelMessageId, status, error });
    if (!patched(STATUS_PUSH_FAILURES_RECORDED_PATCH)) await push();
    else {
      try {
        await push();
      } catch (pushError) {
        // HighLevel refused the status for good (or for over an hour): the delivery itself stands, keep going.
        await ledger.recordEvent(messageId, 'status_push_failed', { status, reason: failureMessage(pushError) });
        return;
      }
    }
    await ledger.recordEvent(messageId, 'status_pushed', { status, ...(error ? { error } : {}) });
  };
  const fail = async (code: string, reason: string): Promise<DeliveryOutcome> => {
    state.status = 'failed';
    state.reason = reason;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'failed' }]);
    await ledger.recordEvent(messageId, 'failed', { code, reason }, { status: 'failed', statusReason: reason, errorCode: code });
    await pushStatus('failed', { code, type: 'saas', message: reason });
    return { status: 'failed', channel: state.channel, reason };
  };

  const decide = (assumeWindowClosed: boolean) =>
    policy.decideDelivery({
      locationId: input.locationId,
      contactId: input.contactId,
      phoneE164: input.phoneE164,
      phoneProblem: input.phoneProblem,
      text: input.text,
      attachments: input.attachments,
      assumeWindowClosed,
    });
  let verdict: PolicyResult = await decide(false);
  await ledger.recordEvent(messageId, 'decided', { decision: v2 ? verdict.plan : verdict.decision, facts: verdict.facts });

  // SMS fallback: at most once per message (the activity also checks the ledger, against retries and restarts).
  let smsReason: string | undefined;
  const smsBlockedReason = () => {
    const permission = verdict.sms?.permission;
    return permission && !permission.allowed && permission.reason !== 'SMS fallback is off for this location' ? permission.reason : undefined;
  };
  const canFallBack = (trigger: FallbackTrigger | undefined) =>
    v2 && !!trigger && smsReason === undefined && verdict.sms?.permission.allowed === true && triggers(trigger, verdict.sms.triggers);
  const fallBackToSms = async (trigger: FallbackTrigger, whatsAppReason?: string): Promise<DeliveryOutcome | undefined> => {
    smsReason = fallbackReason(trigger, { deadlineSeconds: Math.round((verdict.sms?.deadlineMs ?? 0) / 1000), whatsAppReason });
    state.reason = smsReason;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.fallbackReason, value: trigger },
      { key: SEARCH_ATTRIBUTES.deliveryChannel, value: 'sms' },
    ]);
    await ledger.recordEvent(messageId, 'fallback', { trigger, reason: smsReason }, { channel: 'sms', statusReason: smsReason });
    try {
      const sms = await sender.sendSmsFallback({
        messageId,
        locationId: input.locationId,
        to: input.phoneE164 as string,
        text: planText(verdict.plan, input.text),
        attachments: input.attachments,
        reason: smsReason,
      });
      tracker.track('sms', [sms.providerMessageId]);
      return undefined;
    } catch (error) {
      const rejection = rejectionOf(error, 'SmsSendRejected');
      return fail(rejection ? String(rejection.code) : 'sms_unavailable', `${smsReason}, but the SMS failed: ${rejection?.reason ?? 'Twilio could not be reached'}`);
    }
  };
  const failOrFallBack = async (code: string, reason: string, trigger: FallbackTrigger | undefined): Promise<DeliveryOutcome | undefined> => {
    if (canFallBack(trigger)) return fallBackToSms(trigger as FallbackTrigger, reason);
    const blocked = v2 && trigger && triggers(trigger, verdict.sms?.triggers ?? []) ? smsBlockedReason() : undefined;
    return fail(code, blocked ? `${reason}; no SMS fallback: ${blocked}` : reason);
  };

  // 1. What to send on WhatsApp, and send it.
  let plan: DeliveryPlan = v2 ? verdict.plan : legacyPlan(verdict, input.text);
  let redecided = false;
  for (;;) {
    if (plan.action === 'skip') {
      const outcome = await failOrFallBack(plan.code, plan.reason, plan.trigger);
      if (outcome) return outcome;
      break;
    }
    const contents = partsFor(plan, input.attachments);
    if (contents.length === 0) return fail('empty_message', 'the message has no text and no attachments');
    try {
      const sent = await sender.sendWhatsApp({ messageId, locationId: input.locationId, to: input.phoneE164 as string, parts: contents });
      tracker.track('whatsapp', sent.providerMessageIds);
      break;
    } catch (error) {
      const rejection = rejectionOf(error, 'WhatsAppSendRejected');
      if (!rejection) {
        const outcome = await failOrFallBack('whatsapp_unavailable', 'WhatsApp could not be reached after repeated attempts', 'whatsapp_unavailable');
        if (outcome) return outcome;
        break;
      }
      if (rejection.errorClass === 'pause_sender') await ledger.pauseSender(input.locationId, rejection.reason);
      if (v2 && rejection.errorClass === 'needs_template' && !redecided && plan.action !== 'template') {
        redecided = true; // Meta says the window is closed although our records said open: decide again, once.
        verdict = await decide(true);
        await ledger.recordEvent(messageId, 'decided', { decision: verdict.plan, after: rejection.reason });
        plan = verdict.plan;
        continue;
      }
      const outcome = await failOrFallBack(String(rejection.code), rejection.reason, triggerFor(rejection.errorClass));
      if (outcome) return outcome;
      break;
    }
  }
  if (tracker.attempted('whatsapp')) {
    state.channel = 'whatsapp';
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.deliveryChannel, value: tracker.attempted('sms') ? 'sms' : 'whatsapp' },
      { key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'sent' },
    ]);
  } else {
    state.channel = 'sms';
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'sent' }]);
  }
  state.status = 'sent';

  // 2. Receipts: wait for the recipient's device until the deadline (then SMS, if allowed), then keep listening for late ones.
  const smsOnDeadline = v2 && tracker.attempted('whatsapp') && canFallBack('no_receipt');
  const deadlineMs = smsOnDeadline ? (verdict.sms?.deadlineMs ?? verdict.receiptTimeoutMs) : verdict.receiptTimeoutMs;
  const receiptDeadline = Date.now() + deadlineMs;
  const listenUntil = Date.now() + Math.max(verdict.lateReceiptWindowMs, deadlineMs);
  let pushed: string | undefined;
  let deadlineMissed = false;
  let status: DeliveryStatus = 'sent';
  for (;;) {
    while (inbox.length > 0) {
      const receipt = inbox.shift() as ReceiptSignal;
      if (!tracker.apply(receipt)) continue;
      const late = receipt.channel === 'whatsapp' && (deadlineMissed || smsReason !== undefined);
      await ledger.recordEvent(messageId, 'receipt', { ...receipt, late: v2 ? late : deadlineMissed });
      const errorClass = receipt.error ? (receipt.error.errorClass ?? classifyMetaError(receipt.error)) : undefined;
      if (receipt.status === 'failed' && receipt.error && errorClass === 'pause_sender') {
        await ledger.pauseSender(input.locationId, receipt.error.reason ?? describeMetaError(receipt.error));
      }
      if (v2 && receipt.channel === 'whatsapp' && tracker.status('whatsapp') === 'failed' && !tracker.attempted('sms')) {
        const reason = receipt.error?.reason ?? (receipt.error ? describeMetaError(receipt.error) : 'WhatsApp reported the message as failed');
        if (canFallBack(triggerFor(errorClass))) {
          const outcome = await fallBackToSms(triggerFor(errorClass) as FallbackTrigger, reason);
          if (outcome) return outcome;
        } else if (triggerFor(errorClass) && smsBlockedReason() && triggers(triggerFor(errorClass) as FallbackTrigger, verdict.sms?.triggers ?? [])) {
          state.reason = `${reason}; no SMS fallback: ${smsBlockedReason()}`;
        }
      }
    }
    const next = tracker.overall();
    if (next !== status) {
      status = next;
      state.status = next;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: next }]);
      if (next === 'failed') state.reason = failureReason(tracker, state.reason);
      const errorCode = next === 'failed' ? failureCode(tracker) : null;
      const channel = v2 ? tracker.channelLabel() : undefined;
      await ledger.recordEvent(messageId, 'status', { status: next, ...(channel ? { channel } : {}) }, {
        status: next,
        statusReason: state.reason ?? null,
        errorCode,
        ...(channel ? { channel } : {}),
      });
      if (v2 && channel === 'both') {
        await ledger.recordEvent(messageId, 'delivered_twice', { note: 'WhatsApp delivered after the SMS went out: the contact got both and both are billed' });
      }
    }
    const forHighLevel = highLevelStatusFor(status);
    if (forHighLevel && forHighLevel !== pushed) {
      const error = forHighLevel === 'failed' ? { code: failureCode(tracker), type: v2 && tracker.attempted('sms') ? 'sms' : 'whatsapp', message: state.reason ?? 'failed' } : undefined;
      await pushStatus(forHighLevel, error);
      pushed = forHighLevel;
    }
    if (v2 ? tracker.settled() : status === 'read' || status === 'failed') break;

    const now = Date.now();
    if (!deadlineMissed && !reachedRecipient(status) && now >= receiptDeadline) {
      deadlineMissed = true;
      await ledger.recordEvent(messageId, 'receipt_timeout', { waitedMs: deadlineMs });
      if (smsOnDeadline && !tracker.attempted('sms') && !reachedRecipient(tracker.status('whatsapp') ?? 'sent')) {
        const outcome = await fallBackToSms('no_receipt');
        if (outcome) return outcome;
        continue;
      }
    }
    if (now >= listenUntil) break;
    const wakeAt = !deadlineMissed && !reachedRecipient(status) ? receiptDeadline : listenUntil;
    await condition(() => inbox.length > 0, Math.max(1, wakeAt - now));
  }
  state.channel = v2 ? tracker.channelLabel() : 'whatsapp';
  return { status, channel: state.channel, ...(state.reason ? { reason: state.reason } : {}) };
}

/** The first version only knew free text or skip; its histories carry no plan. */
function legacyPlan(verdict: PolicyResult, text: string): DeliveryPlan {
  return verdict.decision.action === 'skip' ? { action: 'skip', code: verdict.decision.code, reason: verdict.decision.reason } : { action: 'free_text', text };
}

function planText(plan: DeliveryPlan, original: string): string {
  return plan.action === 'skip' ? original : plan.text;
}

/** A template goes alone (free-form media outside the window would be refused); free text keeps its attachments. */
function partsFor(plan: Exclude<DeliveryPlan, { action: 'skip' }>, attachments: string[]): OutboundPart[] {
  if (plan.action === 'template') return [{ kind: 'template', template: plan.template }];
  return buildOutboundParts(plan.text, attachments);
}

function triggerFor(errorClass: string | undefined): FallbackTrigger | undefined {
  if (errorClass === 'fallback') return 'not_on_whatsapp';
  if (errorClass === 'needs_template') return 'no_template';
  if (errorClass === 'pause_sender') return 'whatsapp_unavailable';
  return undefined;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function rejectionOf(error: unknown, type: string): SendRejection | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  return error.cause.type === type ? (error.cause.details?.[0] as SendRejection) : undefined;
}

function failureCode(tracker: DeliveryTracker): string {
  const error = tracker.firstError.sms ?? tracker.firstError.whatsapp;
  return String(error?.code ?? 'whatsapp_failed');
}

function failureReason(tracker: DeliveryTracker, known: string | undefined): string {
  const describe = (error: NonNullable<ReceiptSignal['error']>) => error.reason ?? describeMetaError(error);
  const whatsApp = tracker.firstError.whatsapp ? describe(tracker.firstError.whatsapp) : undefined;
  const sms = tracker.firstError.sms ? describe(tracker.firstError.sms) : undefined;
  if (sms) return `WhatsApp: ${whatsApp ?? known ?? 'not delivered'}; SMS: ${sms}`;
  if (known && whatsApp && !known.startsWith(whatsApp)) return known.includes(whatsApp) ? known : `${whatsApp}; ${known}`;
  return known ?? whatsApp ?? 'WhatsApp reported the message as failed';
}
