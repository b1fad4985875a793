import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { failureClassOf, replayVerdict, type FailureClass } from '../domain/replayRules';
import { maskPhone } from '../logging';
import { recordLedgerEvents } from '../store/ledger';
import {
  createReplay,
  findReplay,
  findReplayCandidates,
  finishItem,
  heldMessageIds,
  replayFactsOf,
  replayItemsWithStatus,
  type ClaimedItem,
  type ReplayFilter,
} from '../store/replays';
import { DELIVERY_VERSION, initialDeliverySearchAttributes, releaseSignal, type DeliverMessageInput } from '../../workflows/shared';

/**
 * The one replay operation (admin API, CLI, resume): given a set of messages, re-drive each whose latest outcome is
 * failed with the location's current configuration, templates and consent, as a new run of the same workflow id
 * (started with ALLOW_DUPLICATE_FAILED_ONLY: a run that completed — a delivery — is never run again). A message
 * that reached the contact on any channel is never replayed; the ledger decides, not a search attribute.
 */
export interface ReplayContext {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
}

/** At most this many messages per replay (narrow the filter for more). */
export const MAX_REPLAY_MESSAGES = 10_000;

export type ReplaySelection = ReplayFilter & { errorClass?: FailureClass };

export interface PlannedMessage {
  messageId: string;
  highLevelMessageId: string;
  status: string;
  action: 'replay' | 'skip';
  skip?: string;
  lastFailure: { code: string; class: FailureClass; reason: string; at: string };
}

export interface ReplayPlan {
  total: number;
  toReplay: number;
  skipped: number;
  /** Messages to replay by their last failure code; skips by why. */
  byReason: Record<string, number>;
  skippedBy: Record<string, number>;
  truncated: boolean;
  messages: PlannedMessage[];
}

/** What a replay would do, message by message (the dry run, and the first step of a replay). */
export async function planReplay(db: Db, selection: ReplaySelection): Promise<ReplayPlan> {
  const { errorClass, ...filter } = selection;
  const found = await findReplayCandidates(db, filter, MAX_REPLAY_MESSAGES + 1);
  const truncated = found.length > MAX_REPLAY_MESSAGES;
  const messages: PlannedMessage[] = [];
  for (const candidate of found.slice(0, MAX_REPLAY_MESSAGES)) {
    const failureClass = failureClassOf(candidate.lastFailure.code, candidate.provider);
    if (errorClass && failureClass !== errorClass) continue;
    const verdict = replayVerdict(candidate);
    messages.push({
      messageId: candidate.messageId,
      highLevelMessageId: candidate.highLevelMessageId,
      status: candidate.status,
      action: verdict.action,
      ...(verdict.action === 'skip' ? { skip: verdict.why } : {}),
      lastFailure: { code: candidate.lastFailure.code, class: failureClass, reason: candidate.lastFailure.reason, at: candidate.lastFailure.at.toISOString() },
    });
  }
  const count = (keys: string[]) => keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});
  const toReplay = messages.filter((message) => message.action === 'replay');
  return {
    total: messages.length,
    toReplay: toReplay.length,
    skipped: messages.length - toReplay.length,
    byReason: count(toReplay.map((message) => message.lastFailure.code)),
    skippedBy: count(messages.filter((message) => message.skip).map((message) => message.skip as string)),
    truncated,
    messages,
  };
}

/** Records a replay job (every listed message, skips already answered) for the runner; returns its id. */
export async function requestReplay(db: Db, selection: ReplaySelection, who: { requestedBy: string; note?: string }): Promise<{ id: string; plan: ReplayPlan }> {
  const plan = await planReplay(db, selection);
  const id = `replay-${crypto.randomUUID()}`;
  await createReplay(
    db,
    { id, kind: 'replay', locationId: selection.locationId ?? null, filter: { ...selection }, requestedBy: who.requestedBy, note: who.note ?? null },
    plan.messages.map((message) => ({
      messageId: message.messageId,
      state: message.action === 'replay' ? 'pending' : 'skipped',
      detail: { lastFailure: message.lastFailure, ...(message.skip ? { skip: message.skip } : {}) },
    })),
  );
  return { id, plan };
}

/** After a resume: every held message of the location is released, oldest first, at the location's rate. */
export async function requestRelease(db: Db, locationId: string, requestedBy: string): Promise<{ id: string; held: number } | undefined> {
  const held = await heldMessageIds(db, locationId);
  if (held.length === 0) return undefined;
  const id = `release-${crypto.randomUUID()}`;
  await createReplay(db, { id, kind: 'release', locationId, filter: { locationId, status: 'held' }, requestedBy, note: 'sender resumed' }, held.map((messageId) => ({ messageId, state: 'pending', detail: {} })));
  return { id, held: held.length };
}

/** Works one claimed item: a replay starts a new run, a release signals the held run. */
export async function processItem(ctx: ReplayContext, item: ClaimedItem): Promise<void> {
  if (item.kind === 'release') return releaseOne(ctx, item);
  return replayOne(ctx, item);
}

async function releaseOne(ctx: ReplayContext, item: ClaimedItem): Promise<void> {
  try {
    await ctx.temporal.workflow.getHandle(item.messageId).signal(releaseSignal);
    await finishItem(ctx.db, item.id, 'started', { released: true });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    await finishItem(ctx.db, item.id, 'skipped', { skip: 'not_running' });
  }
}

async function replayOne(ctx: ReplayContext, item: ClaimedItem): Promise<void> {
  const handle = ctx.temporal.workflow.getHandle(item.messageId);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return finishItem(ctx.db, item.id, 'error', { error: 'the workflow is no longer in Temporal (past its retention): its input cannot be read' });
  }
  // Claimed again after a crash that followed the start: that start stands.
  if (description.memo?.replayItem === item.id) return started(ctx, item, description.runId);
  const facts = await replayFactsOf(ctx.db, item.messageId);
  if (!facts) return finishItem(ctx.db, item.id, 'error', { error: 'no ledger entry' });
  const verdict = replayVerdict(facts);
  if (verdict.action === 'skip') return finishItem(ctx.db, item.id, 'skipped', { skip: verdict.why, statusAtReplay: verdict.status });
  if (description.status.name === 'RUNNING') return finishItem(ctx.db, item.id, 'skipped', { skip: 'in_progress', statusAtReplay: facts.status });
  const original = await startInputOf(ctx, item.messageId);
  const input: DeliverMessageInput = { ...original, version: DELIVERY_VERSION, replay: { number: Number(item.id), replayId: item.replayId } };
  try {
    const run = await ctx.temporal.workflow.start('deliverMessage', {
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId: item.messageId,
      args: [input],
      // A new run only after a failed (or terminated, timed out) one; a completed delivery is never run again.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'FAIL',
      memo: { replayItem: item.id, replayId: item.replayId, requestedBy: item.requestedBy },
      staticSummary: `Replay ${item.replayId} by ${item.requestedBy}${item.note ? `: ${item.note}` : ''} (SMS → WhatsApp to ${maskPhone(input.phoneE164)})`,
      typedSearchAttributes: initialDeliverySearchAttributes(input),
    });
    return started(ctx, item, run.firstExecutionRunId);
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    // Running again (another replay got there first), or a last run that completed: only a failed run is replayed.
    const latest = await handle.describe();
    return finishItem(ctx.db, item.id, 'skipped', { skip: latest.status.name === 'RUNNING' ? 'in_progress' : 'last_run_completed' });
  }
}

/** The run is started: the message's timeline says who replayed it, when, why and which run. */
async function started(ctx: ReplayContext, item: ClaimedItem, runId: string): Promise<void> {
  await recordLedgerEvents(ctx.db, item.messageId, [
    { type: 'replayed', detail: { replayId: item.replayId, replay: Number(item.id), requestedBy: item.requestedBy, note: item.note, runId } },
  ]);
  await finishItem(ctx.db, item.id, 'started', {}, runId);
}

/** What HighLevel posted, read from the start of the workflow's latest run (through the client's data converter). */
async function startInputOf(ctx: ReplayContext, workflowId: string): Promise<DeliverMessageInput> {
  const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const [input] = await decodeArrayFromPayloads(ctx.temporal.options.loadedDataConverter, payloads);
  const { replay: _previous, ...original } = input as DeliverMessageInput;
  return original;
}

/** A replay's progress: counts and each message's result (a started replay reads the ledger for what became of it). */
export async function describeReplay(db: Db, id: string) {
  const replay = await findReplay(db, id);
  if (!replay) return undefined;
  const items = await replayItemsWithStatus(db, id);
  // A started replay whose run has not planned yet still shows the failed run's row: it is replaying.
  const messages = items.map((item) => {
    const detail = item.detail as Record<string, unknown>;
    const ledgerStatus = replay.kind === 'replay' && item.state === 'started' && !item.run_planned ? 'replaying' : item.ledger_status;
    return { messageId: item.message_id, highLevelMessageId: item.highlevel_message_id, result: resultOf(replay.kind, item.state, ledgerStatus), ledgerStatus: item.ledger_status, ...(item.run_id ? { runId: item.run_id } : {}), ...detail };
  });
  const counts = { total: messages.length, pending: 0, replaying: 0, done: 0, failed: 0, skipped: 0 };
  for (const message of messages) counts[message.result] += 1;
  const finished = counts.pending === 0 && counts.replaying === 0;
  return { id, kind: replay.kind, requestedBy: replay.requested_by, note: replay.note, createdAt: replay.created_at, filter: replay.filter, state: finished ? ('done' as const) : ('running' as const), counts, messages };
}

type ItemResult = 'pending' | 'replaying' | 'done' | 'failed' | 'skipped';

function resultOf(kind: string, state: string, ledgerStatus: string | null): ItemResult {
  if (state === 'pending' || state === 'claimed') return 'pending';
  if (state === 'skipped') return 'skipped';
  if (state === 'error') return 'failed';
  if (ledgerStatus === 'delivered' || ledgerStatus === 'read') return 'done';
  if (ledgerStatus === 'failed') return 'failed';
  // A release is done once the message left `held`; a replay once it reached the contact (or failed again).
  return kind === 'release' && ledgerStatus !== 'held' ? 'done' : 'replaying';
}
