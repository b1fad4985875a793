import type { SimulatorState } from './state';
import type { CallbackDelivery, CallbackStep, SimulatedMessage, StatusCallbackStatus } from './types';
import { sendSignedWebhook } from './webhookSender';
import { countSmsSegments, stripChannel } from './wireFormat';

/** One WhatsApp sender "channel install" per simulator run; real captures carry an XE… sid. */
const CHANNEL_INSTALL_SID = 'XE' + '5e1f'.repeat(8);

const ERROR_STATUSES: ReadonlySet<StatusCallbackStatus> = new Set(['failed', 'undelivered']);

/** Form fields of a status callback, following the B.2 captures. */
export function statusCallbackParams(message: SimulatedMessage, status: StatusCallbackStatus, errorCode?: number): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: message.sid,
    SmsSid: message.sid,
    MessageStatus: status,
    SmsStatus: status,
    To: message.to,
    AccountSid: message.accountSid,
    ApiVersion: '2010-04-01',
  };
  if (message.from !== undefined) params.From = message.from;
  if (message.messagingServiceSid !== undefined) params.MessagingServiceSid = message.messagingServiceSid;
  if (message.channel === 'whatsapp') {
    params.ChannelPrefix = 'whatsapp';
    params.ChannelToAddress = stripChannel(message.to);
    params.ChannelInstallSid = CHANNEL_INSTALL_SID;
    if (status === 'sent') params.StructuredMessage = 'false';
    if (status === 'delivered') params.EventType = 'DELIVERED';
    if (status === 'read') params.EventType = 'READ';
  } else if (status === 'delivered') {
    // Seen on SMS delivery receipts (carrier DLR "done" time, YYMMDDhhmm); unconfirmed as official.
    params.RawDlrDoneDate = new Date().toISOString().replace(/\D/g, '').slice(2, 12);
  }
  // 30008 "Unknown error" when a failure is reported without a code.
  if (ERROR_STATUSES.has(status)) params.ErrorCode = String(errorCode ?? 30008);
  return params;
}

const FINAL_STATUSES: ReadonlySet<StatusCallbackStatus> = new Set(['delivered', 'read', 'undelivered', 'failed']);

/** Segments billed: WhatsApp and media-only messages are one. */
export function messageSegments(message: SimulatedMessage): number {
  return message.channel === 'whatsapp' || !message.body ? 1 : countSmsSegments(message.body);
}

/** The price Twilio reports once a message is final: negative, 5 decimals; a failed message (never sent) costs nothing. */
function finalPrice(state: SimulatorState, message: SimulatedMessage, status: StatusCallbackStatus): string {
  if (status === 'failed') return '0.00000';
  const amount = message.channel === 'whatsapp' ? state.prices.whatsApp : state.prices.smsPerSegment * messageSegments(message);
  return `-${amount.toFixed(5)}`;
}

/** Moves the message to `status` and, if it has a StatusCallback, delivers the signed callback. */
export async function reportStatus(
  state: SimulatorState,
  message: SimulatedMessage,
  status: StatusCallbackStatus,
  errorCode?: number,
): Promise<CallbackDelivery | undefined> {
  message.status = status;
  message.updatedAt = Date.now();
  if (status === 'sent') message.sentAt ??= message.updatedAt;
  if (ERROR_STATUSES.has(status)) message.errorCode = errorCode ?? 30008;
  if (FINAL_STATUSES.has(status)) message.price ??= finalPrice(state, message, status);
  if (!message.statusCallback) return undefined;
  return sendSignedWebhook(state, {
    kind: 'status',
    messageSid: message.sid,
    url: message.statusCallback,
    params: statusCallbackParams(message, status, message.errorCode),
    authToken: state.accountOrThrow(message.accountSid).authToken,
  });
}

/** sent → delivered (→ read for WhatsApp with autoRead). "A status callback request is not sent for the initial status." */
export function automaticSteps(state: SimulatorState, message: SimulatedMessage): CallbackStep[] {
  const steps: CallbackStep[] = [{ status: 'sent' }, { status: 'delivered' }];
  if (message.channel === 'whatsapp' && state.autoRead) steps.push({ status: 'read' });
  return steps;
}

/**
 * Plays the steps in order, each after its delay; a step's callback completes before the next one is timed,
 * so receivers see them in the given order (Twilio does not promise that, scripts can reorder on purpose).
 */
export async function runStatusTimeline(state: SimulatorState, message: SimulatedMessage, steps: readonly CallbackStep[]): Promise<void> {
  for (const step of steps) {
    await state.sleep(step.delayMs ?? state.callbackDelayMs);
    if (state.isStopped) return;
    await reportStatus(state, message, step.status, step.errorCode);
    if (step.duplicate && !state.isStopped) await reportStatus(state, message, step.status, step.errorCode);
  }
}
