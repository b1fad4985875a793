import type { HighLevelStatus } from '../src/domain/deliveryStatus';
import { resolveSettings } from '../src/domain/locationSettings';
import { billedAs, type WhatsAppCategory } from '../src/domain/costs';
import { countSmsSegments } from '../src/domain/smsSegments';
import { ledgerEventsOf, openLedgerWithEvents, recordLedgerEvents, type LedgerChange, type LedgerEvent } from '../src/store/ledger';
import { findLocation } from '../src/store/locations';
import { RecentCache } from '../src/store/recentCache';
import type { DeliverMessageInput } from '../workflows/shared';
import type { ActivityDeps } from './deps';
import { createPolicyActivities, type PolicyResult } from './policyActivities';
import { highLevelOutcome } from './highLevelFailures';

/**
 * The message as the Delivery URL accepted it, its workflow id, and whether WhatsApp said the window is closed (131047).
 * `released`: the n-th plan after a held message's sender was resumed (v5).
 */
export type PlanInput = DeliverMessageInput & { messageId: string; assumeWindowClosed?: boolean; released?: number };

export interface HoldInput {
  messageId: string;
  locationId: string;
  reason: string;
}

/** What the lean workflow needs of a decision (the facts behind it stay in the ledger). */
export type DeliveryPolicy = Pick<PolicyResult, 'plan' | 'receiptTimeoutMs' | 'lateReceiptWindowMs' | 'sms'>;
/** `afterRestart`: this plan ran before (its workflow task never completed), so the send that followed may have too. */
export type Planned = { duplicate: true } | { duplicate: false; policy: DeliveryPolicy; afterRestart: boolean };

export interface ReportInput {
  messageId: string;
  locationId: string;
  highLevelMessageId: string;
  /** A status for HighLevel's conversation; absent when only the ledger changes. */
  push?: { status: HighLevelStatus; error?: { code: string; type: string; message: string } };
  change: LedgerChange;
  events: LedgerEvent[];
  /** A receipt said the sender must stop (131048, …): paused in the same commit. */
  pauseSender?: string;
  /** v7: which report of the delivery run this is (`<run id>/report:<n>`): run again, it adds its ledger events once. */
  step?: string;
}

/** The timeline says what a WhatsApp send will be billed as (the synced template's category; free text is `service`). */
function billing(plan: PolicyResult['plan']): { billedAs?: WhatsAppCategory } {
  const category = billedAs(plan);
  return category ? { billedAs: category } : {};
}

/** The lean delivery workflow's steps that are not a send: decide (and open the ledger), and report. */
export function createDeliveryActivities(deps: ActivityDeps) {
  const { db, highLevel } = deps;
  const { decideDelivery } = createPolicyActivities(deps);
  /**
   * Report steps (`<run id>/report:<n>`) this worker finished lately. A v7 report is a local activity; in the task that
   * completes the workflow it runs again when a receipt arrived meanwhile (the server refuses that completion and the
   * task replays, on this worker). It then skips the push it already made; its ledger write is a no-op by the step.
   * On another worker the push repeats the same status, which changes nothing in HighLevel.
   */
  const reportedSteps = new RecentCache<true>(10 * 60_000, 10_000);

  /** Pushes a status; false when HighLevel refused it for good (the delivery stands, the ledger says so). */
  const pushToHighLevel = async (input: ReportInput, push: NonNullable<ReportInput['push']>): Promise<{ refused?: string }> => {
    try {
      await highLevel.updateMessageStatus(input.locationId, input.highLevelMessageId, push.status, push.error);
      return {};
    } catch (error) {
      const outcome = highLevelOutcome(error);
      if (!outcome) throw error;
      if ('retry' in outcome) throw outcome.retry;
      return { refused: outcome.refused };
    }
  };

  /**
   * A plan of a replay run or after a release: the ledger row exists; the decision is appended (with the row reset
   * to `received` for a replay's first plan). afterRestart: this very plan ran before, so the send after it may have.
   */
  const planAgain = async (input: PlanInput, verdict: PolicyResult): Promise<Planned> => {
    const round = input.assumeWindowClosed ? 2 : 1;
    const key = { round, replay: input.replay?.number ?? 0, released: input.released ?? 0 };
    const sameStep = (detail: Record<string, unknown>) =>
      Number(detail.round ?? 1) === key.round && Number(detail.replay ?? 0) === key.replay && Number(detail.released ?? 0) === key.released;
    const decidedBefore = (await ledgerEventsOf(db, input.messageId, ['decided'])).some((event) => sameStep(event.detail));
    const after = input.assumeWindowClosed ? 'WhatsApp said the 24-hour window is closed' : input.released ? 'the sender was resumed' : 'replay';
    const decided: LedgerEvent = { type: 'decided', detail: { ...key, decision: verdict.plan, ...billing(verdict.plan), facts: verdict.facts, after } };
    const restart = input.replay && round === 1 && !input.released ? { status: 'received', statusReason: null, errorCode: null, channel: 'none' as const } : {};
    if (!decidedBefore) await recordLedgerEvents(db, input.messageId, [decided], restart);
    const policy = { plan: verdict.plan, receiptTimeoutMs: verdict.receiptTimeoutMs, lateReceiptWindowMs: verdict.lateReceiptWindowMs, sms: verdict.sms };
    return { duplicate: false, policy, afterRestart: decidedBefore };
  };

  return {
    /**
     * A message of a paused sender waits (v5): `held` on the ledger with the reason. Written before the location is
     * read again, while a resume writes the location before it lists held messages: one of the two sees the other,
     * so a message is never held after its release went by. `held: false`: the sender was resumed meanwhile.
     */
    async holdDelivery(input: HoldInput): Promise<{ held: boolean; maxAgeMs: number }> {
      await recordLedgerEvents(db, input.messageId, [{ type: 'held', detail: { reason: input.reason } }], { status: 'held', statusReason: input.reason });
      const location = await findLocation(db, input.locationId);
      const settings = resolveSettings(location?.settings, { receiptTimeoutSeconds: 0, lateReceiptWindowSeconds: 0, heldMaxAgeSeconds: deps.config.HELD_MAX_AGE_SECONDS });
      return { held: !!location?.sender_paused_reason, maxAgeMs: settings.heldMaxAgeSeconds * 1000 };
    },

    /** Gathers the facts and decides; opens the ledger with `received` and `decided` in one commit. */
    async planDelivery(input: PlanInput): Promise<Planned> {
      const verdict = await decideDelivery({ ...input, assumeWindowClosed: input.assumeWindowClosed ?? false });
      if (input.replay || input.released) return planAgain(input, verdict);
      const round = input.assumeWindowClosed ? 2 : 1;
      const decided: LedgerEvent = {
        type: 'decided',
        detail: { round, decision: verdict.plan, ...billing(verdict.plan), facts: verdict.facts, ...(input.assumeWindowClosed ? { after: 'WhatsApp said the 24-hour window is closed' } : {}) },
      };
      const decidedBefore = round > 1 && (await ledgerEventsOf(db, input.messageId, ['decided'])).some((event) => event.detail.round === round);
      const received: LedgerEvent = { type: 'received', detail: { textLength: input.text.length, attachments: input.attachments.length, receivedAt: input.receivedAt } };
      const opened = await openLedgerWithEvents(
        db,
        { id: input.messageId, locationId: input.locationId, contactId: input.contactId, highLevelMessageId: input.highLevelMessageId, phoneE164: input.phoneE164, sms: countSmsSegments(input.text) },
        input.assumeWindowClosed ? [decided] : [received, decided],
      );
      if (opened === 'duplicate') return { duplicate: true };
      const policy = { plan: verdict.plan, receiptTimeoutMs: verdict.receiptTimeoutMs, lateReceiptWindowMs: verdict.lateReceiptWindowMs, sms: verdict.sms };
      return { duplicate: false, policy, afterRestart: round > 1 ? decidedBefore : opened === 'reopened' };
    },

    /**
     * Tells HighLevel (when there is a status to push) and writes the ledger in one commit: the step's events, the
     * row change, `status_pushed` or `status_push_failed`. A refusal for good does not fail the delivery.
     */
    async reportDelivery(input: ReportInput): Promise<void> {
      const step = input.step ? `${input.messageId}|${input.step}` : undefined;
      if (step && reportedSteps.get(step)) return;
      const events = [...input.events];
      if (input.push) {
        const { refused } = await pushToHighLevel(input, input.push);
        events.push(
          refused
            ? { type: 'status_push_failed', detail: { status: input.push.status, reason: refused } }
            : { type: 'status_pushed', detail: { status: input.push.status, ...(input.push.error ? { error: input.push.error } : {}) } },
        );
      }
      await recordLedgerEvents(db, input.messageId, events, input.change, {
        ...(input.pauseSender ? { pauseSender: { locationId: input.locationId, reason: input.pauseSender } } : {}),
        ...(input.step ? { step: input.step } : {}),
      });
      if (step) reportedSteps.set(step, true);
    },

    /** Writes the ledger only (a push HighLevel kept refusing for the whole retry window). */
    async recordDelivery(input: Pick<ReportInput, 'messageId' | 'locationId' | 'change' | 'events' | 'step'>): Promise<void> {
      await recordLedgerEvents(db, input.messageId, input.events, input.change, input.step ? { step: input.step } : {});
    },
  };
}
