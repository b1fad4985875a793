import { ActivityFailure, ApplicationFailure, condition, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeliveryPolicy, PlanInput } from '../../activities/deliveryActivities';
import type { DeliveryPlan } from '../../activities/policyActivities';
import type { SendRejection } from '../../activities/whatsAppActivities';
import { highLevelStatusToPush, type DeliveryStatus, type HighLevelStatus } from '../../src/domain/deliveryStatus';
import { FAILURE, highLevelError, type DeliveryFailure } from '../../src/domain/failures';
import { fallbackReason, fallbackTriggerFor, mayFallBackToSms, type FallbackDecision, type FallbackTrigger } from '../../src/domain/fallbackPolicy';
import type { LedgerChange, LedgerEvent } from '../../src/store/ledger';
import { SEARCH_ATTRIBUTES, deliveryStateQuery, receiptSignal, releaseSignal, sendReference, type DeliverMessageInput, type DeliveryState, type ReceiptSignal } from '../shared';
import { planning, reporting, reportingInTask, sending } from './proxies';
import { partsFor, senderPaused } from './plan';
import { byProviderTime, classOf, describe, DeliveryTracker } from './tracker';
import { featuresOf, type DeliveryFeatures } from './versions';

export interface DeliveryOutcome {
  status: DeliveryStatus | 'duplicate';
  channel: DeliveryState['channel'];
  reason?: string;
}


/**
 * One message's delivery, step by step: plan → send → await receipts → settle. Every step writes the ledger inside
 * the activity that does the work; the workflow only keeps what it needs to decide the next step.
 */
export class DeliveryRun {
  private readonly messageId = workflowInfo().workflowId;
  private readonly inbox: ReceiptSignal[] = [];
  private readonly tracker = new DeliveryTracker();
  private policy!: DeliveryPolicy;
  private sendRound = 0;
  private redecided = false;
  /** The last plan step found its own earlier run: the send after it reconciles before sending. */
  private afterRestart = false;
  private whatsAppFailureHandled = false;
  private fallbackTrigger?: FallbackTrigger;
  private smsReason?: string;
  /** Why WhatsApp did not do, and why the SMS could not step in: both end up in HighLevel's failure text. */
  private whatsAppTrouble?: string;
  private smsBlockedBy?: string;
  private pauseSenderReason?: string;
  private pushed?: HighLevelStatus;
  /** What the ledger row says, so a report writes only changes. */
  private recorded: { status: string; channel: DeliveryState['channel'] } = { status: 'received', channel: 'none' };
  private readonly features: DeliveryFeatures;
  /** v7 reports are ledger steps of their own (`<run id>/report:<n>`), each written once. */
  private reportsMade = 0;
  /** Receipts still count: false once the late-receipt window closed. */
  private listening = true;
  private releases = 0;
  private heldRounds = 0;

  constructor(private readonly input: DeliverMessageInput) {
    this.features = featuresOf(input);
    setHandler(receiptSignal, (receipt) => void this.inbox.push(receipt));
    setHandler(releaseSignal, () => void (this.releases += 1));
    setHandler(deliveryStateQuery, () => ({ status: this.recorded.status, channel: this.tracker.channelLabel(), ...(this.reason() ? { reason: this.reason() } : {}), parts: this.tracker.partStates() }));
  }

  /** Decides what to send and opens the ledger; false when another workflow already handled this message. */
  async plan(): Promise<boolean> {
    const planned = await planning.planDelivery(this.planInput(false));
    if (planned.duplicate) return false;
    this.policy = planned.policy;
    this.afterRestart = planned.afterRestart;
    // Held only when nothing else would carry it: an SMS fallback that takes a paused sender's messages still does.
    while (this.features.holdsWhenPaused && senderPaused(this.policy.plan) && !this.mayFallBack(this.policy.plan.trigger).fallBack) {
      if (!(await this.holdUntilReleased(this.policy.plan.reason))) break;
    }
    return true;
  }

  /**
   * Waits for the sender's resume (the `release` signal), then plans again; false when the message's max age passed
   * first (the paused plan stands and fails the message, naming how long it waited).
   */
  private async holdUntilReleased(reason: string): Promise<boolean> {
    const releasesBefore = this.releases;
    const { held, maxAgeMs } = await planning.holdDelivery({ messageId: this.messageId, locationId: this.input.locationId, reason });
    if (held) {
      this.recorded = { status: 'held', channel: 'none' };
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'held' }]);
      // A replay waits from its own start, not from when HighLevel first posted the message.
      const since = this.input.replay ? workflowInfo().runStartTime.getTime() : Date.parse(this.input.receivedAt);
      const leftMs = maxAgeMs - (Date.now() - since);
      const released = leftMs > 0 && (await condition(() => this.releases > releasesBefore, leftMs));
      if (!released) {
        const plan = this.policy.plan as Extract<DeliveryPlan, { action: 'skip' }>;
        this.policy = { ...this.policy, plan: { ...plan, reason: `${plan.reason} (held ${Math.round(maxAgeMs / 60_000)} min; the sender was not resumed)` } };
        return false;
      }
    }
    this.heldRounds += 1;
    const planned = await planning.planDelivery({ ...this.planInput(false), released: this.heldRounds });
    if (planned.duplicate) return false;
    this.policy = planned.policy;
    this.afterRestart = planned.afterRestart;
    return true;
  }

  /** WhatsApp per the plan; when it cannot take the message, the SMS fallback or the failure. */
  async send(): Promise<void> {
    const plan = this.policy.plan;
    if (plan.action === 'skip') return this.whatsAppBlocked({ code: plan.code, reason: plan.reason, channel: 'saas' }, plan.trigger);
    const parts = partsFor(plan, this.input.attachments);
    if (parts.length === 0) return this.fail({ code: 'empty_message', reason: 'the message has no text and no attachments', channel: 'saas' });
    this.sendRound += 1;
    try {
      const outcome = await sending.sendOverWhatsApp({
        messageId: this.messageId,
        locationId: this.input.locationId,
        to: this.input.phoneE164 as string,
        parts,
        round: this.sendRound,
        afterRestart: this.afterRestart,
        ...this.replayRef(),
      });
      if (!outcome.sent) return this.whatsAppRefused(outcome.rejection);
      this.tracker.track('whatsapp', outcome.providerMessageIds, { replace: true });
      this.recorded = { status: 'sent', channel: 'whatsapp' };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return this.whatsAppBlocked({ code: 'whatsapp_unavailable', reason: 'WhatsApp could not be reached after repeated attempts', channel: 'whatsapp' }, 'whatsapp_unavailable');
    }
  }

  /** Listens for receipts until WhatsApp is read (or failed) and the SMS settled, or the late-receipt window ends. */
  async awaitReceipts(): Promise<void> {
    const silenceDeadlineMs = !this.tracker.attempted('sms') && this.mayFallBack('no_receipt').fallBack ? this.policy.sms.deadlineMs : undefined;
    let deadlinePending = silenceDeadlineMs !== undefined;
    let deadlineDue = false;
    // One timer per deadline, not one per loop turn.
    void sleep(Math.max(this.policy.lateReceiptWindowMs, silenceDeadlineMs ?? 0)).then(() => void (this.listening = false));
    if (silenceDeadlineMs !== undefined) void sleep(silenceDeadlineMs).then(() => void (deadlineDue = true));
    // Receipts that came before the send's id was known (a send adopted after a lost answer) count now.
    const earlier = this.tracker.overall() !== 'sent';
    if (earlier || this.inbox.length > 0) await this.takeReceipts(earlier);
    while (!this.tracker.settled()) {
      await condition(() => this.inbox.length > 0 || !this.listening || (deadlinePending && deadlineDue));
      if (this.inbox.length > 0) await this.takeReceipts();
      if (this.tracker.settled()) return;
      if (deadlinePending && deadlineDue) {
        deadlinePending = false;
        if (!this.tracker.reached('whatsapp') && !this.tracker.attempted('sms')) await this.fallBack('no_receipt');
      }
      if (!this.listening) return;
    }
  }

  /** The outcome, and the search attributes ops filter on, set once now that the message's story is told. */
  settle(): DeliveryOutcome {
    const status = this.tracker.overall();
    this.tagOutcome(status);
    const reason = this.reason();
    return { status, channel: this.tracker.channelLabel(), ...(reason ? { reason } : {}) };
  }

  // ---- receipts ----

  /** Applies what arrived (in the providers' time order) and acts on it; `anyway` acts on receipts applied earlier. */
  private async takeReceipts(anyway = false): Promise<void> {
    const receipts = this.inbox.splice(0).sort(byProviderTime);
    const applied = receipts.filter((receipt) => this.tracker.apply(receipt)).length;
    if (applied === 0 && !anyway) return;
    // Checked before the call: each promise a workflow creates costs the SDK a captured stack trace.
    if (this.whatsAppFailureUnhandled() && (await this.reactToWhatsAppFailure())) return;
    const smsFailure = this.tracker.failure('sms');
    if (smsFailure && !this.tracker.reached('whatsapp')) {
      return this.fail({ code: String(smsFailure.code), reason: `${this.smsReason ?? 'sms'}, but the SMS failed: ${describe(smsFailure)}`, channel: 'sms' });
    }
    await this.report();
  }

  private whatsAppFailureUnhandled(): boolean {
    return !this.whatsAppFailureHandled && this.tracker.status('whatsapp') === 'failed' && !this.tracker.attempted('sms');
  }

  /** A WhatsApp failure receipt: decided again as a template (131047, once), the SMS fallback, or the failure. */
  private async reactToWhatsAppFailure(): Promise<boolean> {
    this.whatsAppFailureHandled = true;
    const error = this.tracker.failure('whatsapp') ?? { code: 0 };
    const errorClass = classOf(error);
    if (errorClass === 'pause_sender') this.pauseSenderReason = describe(error);
    if (errorClass === 'needs_template' && (await this.decideAgainOutsideWindow())) {
      this.whatsAppFailureHandled = false;
      await this.send();
      return true;
    }
    this.whatsAppTrouble = describe(error);
    const decision = this.mayFallBack(fallbackTriggerFor(errorClass));
    if (decision.fallBack) {
      await this.fallBack(decision.trigger, describe(error));
      return true;
    }
    this.smsBlockedBy = decision.blockedBy;
    return false;
  }

  // ---- WhatsApp could not take it ----

  private async whatsAppRefused(rejection: SendRejection): Promise<void> {
    if (rejection.errorClass === 'needs_template' && (await this.decideAgainOutsideWindow())) return this.send();
    return this.whatsAppBlocked({ code: String(rejection.code), reason: rejection.reason, channel: 'whatsapp' }, fallbackTriggerFor(rejection.errorClass));
  }

  /** WhatsApp said the window is closed although our records said open: decide again as outside it, once. */
  private async decideAgainOutsideWindow(): Promise<boolean> {
    if (this.redecided || this.policy.plan.action === 'template') return false;
    this.redecided = true;
    const planned = await planning.planDelivery(this.planInput(true));
    if (planned.duplicate) return false;
    this.policy = planned.policy;
    this.afterRestart = planned.afterRestart;
    return true;
  }

  private async whatsAppBlocked(failure: DeliveryFailure, trigger: FallbackTrigger | undefined): Promise<void> {
    this.whatsAppTrouble = failure.reason;
    const decision = this.mayFallBack(trigger);
    if (decision.fallBack) return this.fallBack(decision.trigger, failure.reason);
    return this.fail(decision.blockedBy ? { ...failure, reason: `${failure.reason}; no SMS fallback: ${decision.blockedBy}` } : failure);
  }

  private mayFallBack(trigger: FallbackTrigger | undefined): FallbackDecision {
    const { permission, triggers } = this.policy.sms;
    return mayFallBackToSms({ trigger, permission, enabledTriggers: triggers, smsAlreadySent: this.tracker.attempted('sms') });
  }

  private async fallBack(trigger: FallbackTrigger, whatsAppReason?: string): Promise<void> {
    this.fallbackTrigger = trigger;
    this.smsReason = fallbackReason(trigger, { deadlineSeconds: Math.round(this.policy.sms.deadlineMs / 1000), whatsAppReason });
    const plan: DeliveryPlan = this.policy.plan;
    try {
      const outcome = await sending.sendOverSms({
        messageId: this.messageId,
        locationId: this.input.locationId,
        to: this.input.phoneE164 as string,
        text: plan.action === 'skip' ? this.input.text : plan.text,
        attachments: this.input.attachments,
        reason: this.smsReason,
        fallback: { trigger },
        ...this.replayRef(),
      });
      if (!outcome.sent) return this.fail({ code: String(outcome.rejection.code), reason: `${this.smsReason}, but the SMS failed: ${outcome.rejection.reason}`, channel: 'sms' });
      this.tracker.track('sms', [outcome.providerMessageId]);
      this.recorded = { status: 'sent', channel: 'sms' };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return this.fail({ code: 'sms_unavailable', reason: `${this.smsReason}, but the SMS failed: Twilio could not be reached`, channel: 'sms' });
    }
  }

  // ---- telling HighLevel and the ledger ----

  /** Pushes the furthest new status and records what changed, in one activity; nothing when nothing changed. */
  private async report(): Promise<void> {
    const status = this.tracker.overall();
    if (status === 'failed') return this.fail(this.failureFromReceipts());
    const channel = this.tracker.channelLabel();
    const push = highLevelStatusToPush(this.pushed, status);
    const change: LedgerChange = {};
    if (status !== this.recorded.status) change.status = status;
    if (channel !== this.recorded.channel) change.channel = channel;
    if (!push && change.status === undefined && change.channel === undefined && !this.pauseSenderReason) return;
    const events: LedgerEvent[] = [{ type: 'status', detail: { status, channel } }];
    if (change.channel === 'both') events.push({ type: 'delivered_twice', detail: { note: 'WhatsApp delivered after the SMS went out: the contact got both and both are billed' } });
    await this.tellHighLevel(push, change, events, this.reportInTask(this.listening && !this.tracker.settled()));
    this.recorded = { status, channel };
  }

  private failureFromReceipts(): DeliveryFailure {
    const sms = this.tracker.failure('sms');
    const whatsApp = this.tracker.failure('whatsapp');
    if (sms) return { code: String(sms.code), channel: 'sms', reason: `WhatsApp: ${this.whatsAppTrouble ?? (whatsApp ? describe(whatsApp) : 'not delivered')}; SMS: ${describe(sms)}` };
    const reason = whatsApp ? describe(whatsApp) : 'WhatsApp reported the message as failed';
    return { code: String(whatsApp?.code ?? 'whatsapp_failed'), channel: 'whatsapp', reason: this.smsBlockedBy ? `${reason}; no SMS fallback: ${this.smsBlockedBy}` : reason };
  }

  /** HighLevel gets `failed` with the reason, the ledger the same; then the workflow fails (red in the Temporal UI). */
  private async fail(failure: DeliveryFailure): Promise<never> {
    const events: LedgerEvent[] = [{ type: 'failed', detail: { code: failure.code, reason: failure.reason } }];
    const change: LedgerChange = { status: 'failed', statusReason: failure.reason, errorCode: failure.code, channel: this.tracker.channelLabel() };
    await this.tellHighLevel({ status: 'failed', error: highLevelError(failure) }, change, events, this.reportInTask(false));
    this.tagOutcome('failed');
    throw ApplicationFailure.create({ type: FAILURE.deliveryFailed, message: failure.reason, nonRetryable: true, details: [failure] });
  }

  private async tellHighLevel(push: HighLevelStatus | { status: HighLevelStatus; error: ReturnType<typeof highLevelError> } | undefined, change: LedgerChange, events: LedgerEvent[], inTask: boolean): Promise<void> {
    const reporter = inTask ? reportingInTask : reporting;
    const report = {
      messageId: this.messageId,
      locationId: this.input.locationId,
      highLevelMessageId: this.input.highLevelMessageId,
      ...(push ? { push: typeof push === 'string' ? { status: push } : push } : {}),
      change: { ...change, ...(this.reason() && change.statusReason === undefined ? { statusReason: this.reason() } : {}) },
      events,
      ...(this.pauseSenderReason ? { pauseSender: this.pauseSenderReason } : {}),
      // A local activity in a task that completes the workflow runs again if a receipt came meanwhile: the ledger
      // takes its events once (the push to HighLevel repeats the same status, which changes nothing there).
      // The run is part of the step: a replay of the message is a new run of the same workflow id, with reports of its own.
      ...(this.features.reportsInTask === 'all' ? { step: `${workflowInfo().runId}/report:${++this.reportsMade}` } : {}),
    };
    try {
      await reporter.reportDelivery(report);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      // HighLevel refused the status for the whole retry window: the delivery stands, the ledger says so.
      const status = report.push?.status;
      await reporter.recordDelivery({ ...report, events: [...events, { type: 'status_push_failed', detail: { status, reason: error.cause?.message ?? error.message } }] });
    }
    this.pauseSenderReason = undefined;
    if (report.push) this.pushed = report.push.status;
  }

  /** Whether a report runs in the workflow task: v7 always, v6 when the workflow goes on listening after it. */
  private reportInTask(moreToCome: boolean): boolean {
    const { reportsInTask } = this.features;
    return reportsInTask === 'all' || (reportsInTask === 'before_last' && moreToCome);
  }

  private tagOutcome(status: DeliveryStatus): void {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.deliveryStatus, value: status },
      { key: SEARCH_ATTRIBUTES.deliveryChannel, value: this.tracker.channelLabel() },
      ...(this.fallbackTrigger ? [{ key: SEARCH_ATTRIBUTES.fallbackReason, value: this.fallbackTrigger }] : []),
    ]);
  }

  private reason(): string | undefined {
    return this.smsReason ?? this.whatsAppTrouble;
  }

  /** A replay's sends carry their own reference (absent otherwise: activity inputs of earlier runs unchanged). */
  private replayRef(): { replay?: number; reference?: string } {
    const replay = this.input.replay;
    return replay ? { replay: replay.number, reference: sendReference(this.messageId, replay) } : {};
  }

  private planInput(assumeWindowClosed: boolean): PlanInput {
    return { messageId: this.messageId, ...this.input, ...(assumeWindowClosed ? { assumeWindowClosed } : {}) };
  }
}
