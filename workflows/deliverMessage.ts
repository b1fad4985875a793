import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SendRejection } from '../activities/whatsAppActivities';
import { advanceStatus, highLevelStatusFor, isFinal, reachedRecipient, type DeliveryStatus } from '../src/domain/deliveryStatus';
import { classifyMetaError, describeMetaError } from '../src/domain/metaErrors';
import { buildOutboundParts } from '../src/domain/outboundContent';
import {
  SEARCH_ATTRIBUTES,
  deliveryStateQuery,
  receiptSignal,
  type DeliverMessageInput,
  type DeliveryState,
  type ReceiptSignal,
} from './shared';

const ledger = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '10s' },
});

const policy = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['UnknownLocation', 'MissingHighLevelToken'] },
});

const whatsApp = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 },
});

/** HighLevel's early 403s and 429s are retried for up to an hour; the status then stays in the ledger. */
const highLevel = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface DeliveryOutcome {
  status: DeliveryStatus | 'duplicate';
  channel: DeliveryState['channel'];
  reason?: string;
}

/** One HighLevel SMS → WhatsApp, with receipts pushed back to HighLevel as they arrive. */
export async function deliverMessage(input: DeliverMessageInput): Promise<DeliveryOutcome> {
  const messageId = workflowInfo().workflowId;
  const inbox: ReceiptSignal[] = [];
  const parts = new Map<string, DeliveryStatus>();
  const state: DeliveryState = { status: 'received', channel: 'none', parts: {} };
  setHandler(receiptSignal, (receipt) => void inbox.push(receipt));
  setHandler(deliveryStateQuery, () => ({ ...state, parts: Object.fromEntries(parts) }));

  const fresh = await ledger.openLedger({
    messageId,
    locationId: input.locationId,
    contactId: input.contactId,
    highLevelMessageId: input.highLevelMessageId,
    phoneE164: input.phoneE164,
    detail: { textLength: input.text.length, attachments: input.attachments.length, receivedAt: input.receivedAt },
  });
  if (!fresh) return { status: 'duplicate', channel: 'none', reason: 'this HighLevel message was already handled' };

  const fail = async (code: string, reason: string): Promise<DeliveryOutcome> => {
    state.status = 'failed';
    state.reason = reason;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'failed' }]);
    await ledger.recordEvent(messageId, 'failed', { code, reason }, { status: 'failed', statusReason: reason, errorCode: code });
    await pushStatus('failed', { code, type: 'saas', message: reason });
    return { status: 'failed', channel: state.channel, reason };
  };
  const pushStatus = async (status: 'delivered' | 'read' | 'failed', error?: { code: string; type: string; message: string }) => {
    await highLevel.pushStatusToHighLevel({ locationId: input.locationId, highLevelMessageId: input.highLevelMessageId, status, error });
    await ledger.recordEvent(messageId, 'status_pushed', { status, ...(error ? { error } : {}) });
  };

  const verdict = await policy.decideDelivery({
    locationId: input.locationId,
    contactId: input.contactId,
    phoneE164: input.phoneE164,
    phoneProblem: input.phoneProblem,
  });
  await ledger.recordEvent(messageId, 'decided', { decision: verdict.decision, facts: verdict.facts });
  if (verdict.decision.action === 'skip') return fail(verdict.decision.code, verdict.decision.reason);

  const contents = buildOutboundParts(input.text, input.attachments);
  if (contents.length === 0) return fail('empty_message', 'the message has no text and no attachments');

  let sent: { providerMessageIds: string[] };
  try {
    sent = await whatsApp.sendWhatsApp({ messageId, locationId: input.locationId, to: input.phoneE164 as string, parts: contents });
  } catch (error) {
    const rejection = sendRejection(error);
    if (!rejection) return fail('whatsapp_unavailable', 'WhatsApp could not be reached after repeated attempts');
    if (rejection.errorClass === 'pause_sender') await ledger.pauseSender(input.locationId, rejection.reason);
    return fail(String(rejection.code), rejection.reason);
  }
  for (const id of sent.providerMessageIds) parts.set(id, 'sent'); // the API accepted it: sent from our side
  state.channel = 'whatsapp';
  state.status = 'sent';
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.deliveryChannel, value: 'whatsapp' },
    { key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'sent' },
  ]);

  // Receipts: wait for the recipient's device until the receipt deadline, then keep listening for late ones.
  const receiptDeadline = Date.now() + verdict.receiptTimeoutMs;
  const listenUntil = Date.now() + Math.max(verdict.lateReceiptWindowMs, verdict.receiptTimeoutMs);
  let pushed: string | undefined;
  let deadlineMissed = false;
  let status: DeliveryStatus = 'sent';
  let failure: ReceiptSignal['error'];
  for (;;) {
    while (inbox.length > 0) {
      const receipt = inbox.shift() as ReceiptSignal;
      const current = parts.get(receipt.providerMessageId);
      if (current === undefined) continue;
      parts.set(receipt.providerMessageId, advanceStatus(current, receipt.status));
      await ledger.recordEvent(messageId, 'receipt', { ...receipt, late: deadlineMissed });
      if (receipt.status === 'failed' && receipt.error) {
        failure ??= receipt.error;
        if (classifyMetaError(receipt.error) === 'pause_sender') await ledger.pauseSender(input.locationId, describeMetaError(receipt.error));
      }
    }
    const next = aggregateStatus([...parts.values()]);
    if (next !== status) {
      status = next;
      state.status = next;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.deliveryStatus, value: next }]);
      if (next === 'failed') state.reason = failure ? describeMetaError(failure) : 'WhatsApp reported the message as failed';
      const errorCode = next === 'failed' ? String(failure?.code ?? 'whatsapp_failed') : null;
      await ledger.recordEvent(messageId, 'status', { status: next }, { status: next, statusReason: state.reason ?? null, errorCode });
    }
    const forHighLevel = highLevelStatusFor(status);
    if (forHighLevel && forHighLevel !== pushed) {
      const error = forHighLevel === 'failed' ? { code: String(failure?.code ?? 'whatsapp_failed'), type: 'whatsapp', message: state.reason ?? 'failed' } : undefined;
      await pushStatus(forHighLevel, error);
      pushed = forHighLevel;
    }
    if (isFinal(status)) break;

    const now = Date.now();
    if (!deadlineMissed && !reachedRecipient(status) && now >= receiptDeadline) {
      deadlineMissed = true;
      await ledger.recordEvent(messageId, 'receipt_timeout', { waitedMs: verdict.receiptTimeoutMs });
    }
    if (now >= listenUntil) break;
    const wakeAt = !deadlineMissed && !reachedRecipient(status) ? receiptDeadline : listenUntil;
    await condition(() => inbox.length > 0, Math.max(1, wakeAt - now));
  }
  return { status, channel: 'whatsapp', ...(state.reason ? { reason: state.reason } : {}) };
}

/** A message of several parts is as far as its least advanced part; any failed part fails it. */
function aggregateStatus(statuses: DeliveryStatus[]): DeliveryStatus {
  if (statuses.includes('failed')) return 'failed';
  const order: DeliveryStatus[] = ['accepted', 'sent', 'delivered', 'read'];
  return order[Math.min(...statuses.map((status) => order.indexOf(status)))] ?? 'sent';
}

function sendRejection(error: unknown): SendRejection | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  return error.cause.type === 'WhatsAppSendRejected' ? (error.cause.details?.[0] as SendRejection) : undefined;
}
