import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { FAILURE } from '../src/domain/failures';
import type { ErrorClass } from '../src/domain/providerErrors';
import { classifyProviderError, describeProviderError, type Provider } from '../src/domain/providerErrors';
import { describeTemplateError, isTemplateError } from '../src/domain/templateErrors';
import type { OutboundPart } from '../src/domain/outboundContent';
import { ledgerEventsOf } from '../src/store/ledger';
import { pauseSender } from '../src/store/locations';
import { ProviderSendError } from '../src/providers/messagingPort';
import type { ActivityDeps } from './deps';
import { requireLocation } from './locations';
import { sendOnce } from './sendWithReconciliation';

/** Details of a send the provider refused for good. */
export interface SendRejection {
  errorClass: ErrorClass;
  code: number;
  reason: string;
}

export type WhatsAppSendOutcome = { sent: true; provider: Provider; providerMessageIds: string[] } | { sent: false; rejection: SendRejection };

/** Kept for the frozen workflow versions, which read rejections from this failure type. */
export const SEND_REJECTED = FAILURE.whatsAppSendRejected;

export interface WhatsAppSendInput {
  messageId: string;
  locationId: string;
  to: string;
  parts: OutboundPart[];
  /** Which send of this message (a send decided again after 131047 is round 2); the frozen versions send once. */
  round?: number;
  /** The plan step found its own earlier run: an earlier execution of this send may have reached the provider. */
  afterRestart?: boolean;
  /** A replay run (its number) and the reference its sends carry; the failed run's sends are never taken for its own. */
  replay?: number;
  reference?: string;
}

/** Which run of a message a ledger send event belongs to: 0 for the original, the replay number otherwise. */
export function replayOfEvent(detail: Record<string, unknown>): number {
  return Number(detail.replay ?? 0);
}

export function createWhatsAppActivities(deps: ActivityDeps) {
  /**
   * Sends every part once: a part on the ledger is not sent again, and a retry whose predecessor may have reached
   * the provider adopts that send (sendOnce). A refusal for good is returned; a sender-pausing one pauses it.
   */
  const sendParts = async (input: WhatsAppSendInput): Promise<WhatsAppSendOutcome> => {
    const { db, whatsAppSenderFor, config } = deps;
    const location = await requireLocation(db, input.locationId);
    const sender = whatsAppSenderFor(location);
    const round = input.round ?? 1;
    const sentParts = new Map<number, string>();
    const otherRounds: string[] = [];
    // A first attempt that follows no earlier execution has nothing on the ledger to resume from.
    const resuming = activityInfo().attempt > 1 || (input.afterRestart ?? false);
    const replay = input.replay ?? 0;
    for (const event of resuming ? await ledgerEventsOf(db, input.messageId, ['sent']) : []) {
      if (replayOfEvent(event.detail) === replay && Number(event.detail.round ?? 1) === round) sentParts.set(Number(event.detail.part), String(event.detail.providerMessageId));
      else otherRounds.push(String(event.detail.providerMessageId));
    }
    const ids: string[] = [];
    for (const [index, part] of input.parts.entries()) {
      const known = sentParts.get(index);
      if (known) {
        ids.push(known);
        continue;
      }
      try {
        const { providerMessageId } = await sendOnce({
          db,
          messageId: input.messageId,
          provider: sender.provider,
          channel: 'whatsapp',
          key: `${replay ? `r${replay}:` : ''}part:${round}:${index}`,
          ...(input.reference ? { reference: input.reference } : {}),
          afterRestart: input.afterRestart ?? false,
          knownIds: [...otherRounds, ...sentParts.values()],
          waitBoundMs: config.SEND_RECONCILE_WAIT_SECONDS * 1000,
          send: () => sender.send(input.to, part, input.reference ?? input.messageId),
          ...(sender.findSent ? { lookup: (options: { attemptStartedAt: Date; excludeSids: string[] }) => sender.findSent?.(input.to, part, options) ?? Promise.resolve(undefined) } : {}),
          recorded: (providerMessageId, how) => ({
            events: [{ type: 'sent', detail: { part: index, round, ...(replay ? { replay } : {}), kind: part.kind === 'media' ? part.mediaType : part.kind, provider: sender.provider, providerMessageId, ...how } }],
            change: { status: 'sent', channel: 'whatsapp', provider: sender.provider, providerMessageId },
          }),
        });
        sentParts.set(index, providerMessageId);
        ids.push(providerMessageId);
      } catch (error) {
        const rejection = rejectionOf(error, sender.provider, part);
        if (rejection.errorClass === 'pause_sender') await pauseSender(db, input.locationId, rejection.reason);
        return { sent: false, rejection };
      }
    }
    return { sent: true, provider: sender.provider, providerMessageIds: ids };
  };

  return {
    /** The lean workflow's send: a refusal for good comes back as a value, transient errors are retried. */
    async sendOverWhatsApp(input: WhatsAppSendInput): Promise<WhatsAppSendOutcome> {
      return sendParts(input);
    },

    /** The frozen workflow versions' send: a refusal for good is a non-retryable failure carrying the rejection. */
    async sendWhatsApp(input: WhatsAppSendInput): Promise<{ provider: string; providerMessageIds: string[] }> {
      const outcome = await sendParts(input);
      if (outcome.sent) return { provider: outcome.provider, providerMessageIds: outcome.providerMessageIds };
      throw ApplicationFailure.create({ message: outcome.rejection.reason, type: SEND_REJECTED, nonRetryable: true, details: [outcome.rejection] });
    },
  };
}

/** A refusal for good, as a value; anything that may pass is rethrown for Temporal to retry. */
function rejectionOf(error: unknown, provider: Provider, part: OutboundPart): SendRejection {
  if (!(error instanceof ProviderSendError)) throw error; // network errors: retried with backoff
  const errorClass = classifyProviderError(provider, error.providerError);
  const reason =
    part.kind === 'template' && isTemplateError(error.providerError)
      ? describeTemplateError(error.providerError, part.template)
      : describeProviderError(provider, error.providerError);
  if (errorClass === 'retry') throw ApplicationFailure.create({ message: reason, type: FAILURE.whatsAppSendRetryable, nonRetryable: false, cause: error });
  return { errorClass, code: error.providerError.code, reason };
}
