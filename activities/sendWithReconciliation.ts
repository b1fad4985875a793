import { activityInfo, heartbeat, sleep } from '@temporalio/activity';
import type { Db } from '../src/db/database';
import { attemptOutcomeOf, decideSendReconciliation } from '../src/domain/sendReconciliation';
import { ledgerEventsOf, recordLedgerEvents, type LedgerChange, type LedgerEvent } from '../src/store/ledger';
import { findReceiptEvidence, providerMessageIdsClaimedElsewhere } from '../src/store/receipts';

/**
 * One provider send that is never repeated: before a retry whose predecessor may have reached the provider (the
 * answer was lost, or the worker died after the request left), look for proof of that send — a receipt carrying
 * the message's reference, or the provider's own record (Twilio's Messages list) — and adopt its id; wait for
 * receipts up to a bound; send only when nothing proves the earlier attempt. An attempt whose outcome is known
 * (the provider answered with a refusal, or no request left) is written down so the next one sends at once.
 */
export interface ReconciledSend {
  db: Db;
  messageId: string;
  provider: 'meta' | 'twilio';
  channel: 'whatsapp' | 'sms';
  /** What the provider echoes back (workflow id, or `<workflow id>#r<n>` for a replay); defaults to messageId. */
  reference?: string;
  /** Ledger key of this send: a part index for WhatsApp, 'sms' for the fallback. */
  key: string;
  /** This step ran before in a workflow task that never completed (a worker died): its send may have gone out. */
  afterRestart?: boolean;
  /**
   * Look for evidence once even on a first attempt, without waiting: for a step nothing before it could mark as
   * started (the SMS fallback), so a re-execution after a worker died finds the message it already created.
   */
  checkFirst?: boolean;
  /** Ids already on the ledger for this message (other parts): never adopted for this one. */
  knownIds: string[];
  waitBoundMs: number;
  send(): Promise<{ providerMessageId: string }>;
  lookup?(options: { attemptStartedAt: Date; excludeSids: string[] }): Promise<{ providerMessageId: string } | undefined>;
  /** What the ledger records with the id, in the same transaction. */
  recorded(providerMessageId: string, how: { attempt: number; reconciled?: 'receipt' | 'lookup' }): { events: LedgerEvent[]; change: LedgerChange };
}

const SEND_FAILED = 'send_failed';

export async function sendOnce(spec: ReconciledSend): Promise<{ providerMessageId: string }> {
  const { attempt, scheduledTimestampMs } = activityInfo();
  const sent = (await reconcile(spec, attempt, scheduledTimestampMs)) ?? (await sendNow(spec, attempt));
  return { providerMessageId: sent.id };
}

async function reconcile(spec: ReconciledSend, attempt: number, firstScheduledMs: number): Promise<{ id: string; source?: 'receipt' | 'lookup' } | undefined> {
  const firstTry = attempt === 1 && !spec.afterRestart;
  if (firstTry && !spec.checkFirst) return undefined;
  const failures = firstTry ? [] : await ledgerEventsOf(spec.db, spec.messageId, [SEND_FAILED]);
  const previousKnown = firstTry || (attempt > 1 && failures.some((event) => event.detail.key === spec.key && event.detail.attempt === attempt - 1));
  let waitedMs = 0;
  for (;;) {
    const receipts = (await findReceiptEvidence(spec.db, spec.messageId, { provider: spec.provider, channel: spec.channel, ...(spec.reference ? { reference: spec.reference } : {}) })).map((evidence) => evidence.providerMessageId);
    const looked = spec.lookup ? await spec.lookup({ attemptStartedAt: new Date(firstScheduledMs), excludeSids: spec.knownIds }) : undefined;
    const candidates = [...receipts, ...(looked ? [looked.providerMessageId] : [])];
    const claimedElsewhere = await providerMessageIdsClaimedElsewhere(spec.db, spec.messageId, spec.provider, candidates);
    const decision = decideSendReconciliation({
      attempt,
      previousOutcomeUnknown: !previousKnown,
      receiptIds: receipts,
      ...(looked ? { lookedUpId: looked.providerMessageId } : {}),
      claimedIds: [...spec.knownIds, ...claimedElsewhere],
      waitedMs,
      waitBoundMs: spec.waitBoundMs,
    });
    if (decision.action === 'send') return undefined;
    if (decision.action === 'adopt') {
      await record(spec, decision.providerMessageId, { attempt, reconciled: decision.source });
      return { id: decision.providerMessageId, source: decision.source };
    }
    beat({ reconciling: spec.key, waitedMs });
    await sleep(decision.retryInMs);
    waitedMs += decision.retryInMs;
  }
}

async function sendNow(spec: ReconciledSend, attempt: number): Promise<{ id: string }> {
  beat({ sending: spec.key });
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await spec.send());
  } catch (error) {
    if (attemptOutcomeOf(error) !== 'unknown') {
      await recordLedgerEvents(spec.db, spec.messageId, [{ type: SEND_FAILED, detail: { key: spec.key, attempt, error: describe(error) } }]);
    }
    throw error;
  }
  await record(spec, providerMessageId, { attempt });
  return { id: providerMessageId };
}

/** Heartbeats where they exist (an activity; a local activity has none: its workflow task carries it). */
function beat(details: Record<string, unknown>): void {
  if (!activityInfo().isLocal) heartbeat(details);
}

async function record(spec: ReconciledSend, providerMessageId: string, how: { attempt: number; reconciled?: 'receipt' | 'lookup' }): Promise<void> {
  const { events, change } = spec.recorded(providerMessageId, how);
  await recordLedgerEvents(spec.db, spec.messageId, events, change);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : String(error);
}

