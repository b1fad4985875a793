import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../src/domain/failures';
import { classifyTwilioError, describeTwilioError } from '../src/domain/twilioErrors';
import { ledgerEventsOf, type LedgerEvent } from '../src/store/ledger';
import { ProviderSendError } from '../src/providers/messagingPort';
import type { ActivityDeps } from './deps';
import { requireLocation } from './locations';
import { sendOnce } from './sendWithReconciliation';
import { replayOfEvent, type SendRejection } from './whatsAppActivities';

export const SMS_REJECTED = FAILURE.smsSendRejected;

export interface SmsFallbackInput {
  messageId: string;
  locationId: string;
  to: string;
  text: string;
  attachments: string[];
  reason: string;
  /** Why WhatsApp did not do: written with the send (lean workflow); the frozen versions record it themselves. */
  fallback?: { trigger: string };
  /** An earlier execution of this step may have reached Twilio (its workflow task never completed). */
  afterRestart?: boolean;
  /** A replay run (its number) and the reference its SMS carries: an SMS of an earlier run is not this run's. */
  replay?: number;
  reference?: string;
}

export type SmsSendOutcome = { sent: true; providerMessageId: string } | { sent: false; rejection: SendRejection };

export function createSmsActivities({ db, smsSenderFor, config }: ActivityDeps) {
  /**
   * At most one SMS per message: an SMS already on the ledger is returned instead of sent again, and a retry whose
   * predecessor may have reached Twilio adopts that message (its receipt, or Twilio's Messages list).
   */
  const sendSms = async (input: SmsFallbackInput): Promise<SmsSendOutcome> => {
    const replay = input.replay ?? 0;
    const smsSent = await ledgerEventsOf(db, input.messageId, ['sms_sent']);
    const earlier = smsSent.find((event) => replayOfEvent(event.detail) === replay);
    if (earlier) return { sent: true, providerMessageId: String(earlier.detail.providerMessageId) };
    const location = await requireLocation(db, input.locationId);
    const sender = smsSenderFor(location);
    try {
      return {
        sent: true,
        ...(await sendOnce({
          db,
          messageId: input.messageId,
          provider: 'twilio',
          channel: 'sms',
          key: replay ? `r${replay}:sms` : 'sms',
          ...(input.reference ? { reference: input.reference } : {}),
          afterRestart: input.afterRestart ?? false,
          checkFirst: true,
          knownIds: smsSent.map((event) => String(event.detail.providerMessageId)),
          waitBoundMs: config.SEND_RECONCILE_WAIT_SECONDS * 1000,
          send: () => sender.sendSms(input.to, input.text, input.attachments, input.reference ?? input.messageId),
          lookup: async (options) => {
            const match = await sender.findSentSms?.(input.to, input.text, input.attachments, options);
            return match && { providerMessageId: match.sid };
          },
          recorded: (providerMessageId, how) => {
            const events: LedgerEvent[] = input.fallback ? [{ type: 'fallback', detail: { trigger: input.fallback.trigger, reason: input.reason } }] : [];
            events.push({ type: 'sms_sent', detail: { provider: 'twilio', providerMessageId, reason: input.reason, ...(replay ? { replay } : {}), ...how } });
            return { events, change: { statusReason: input.reason, ...(input.fallback ? { channel: 'sms' as const, status: 'sent' } : {}) } };
          },
        })),
      };
    } catch (error) {
      if (!(error instanceof ProviderSendError)) throw error;
      const errorClass = classifyTwilioError(error.providerError);
      const reason = describeTwilioError(error.providerError);
      if (errorClass === 'retry') throw ApplicationFailure.create({ message: reason, type: FAILURE.smsSendRetryable });
      return { sent: false, rejection: { errorClass, code: error.providerError.code, reason } };
    }
  };

  return {
    /** The lean workflow's SMS: a refusal for good comes back as a value. */
    async sendOverSms(input: SmsFallbackInput): Promise<SmsSendOutcome> {
      return sendSms(input);
    },

    /** The frozen workflow versions' SMS: a refusal for good is a non-retryable failure carrying the rejection. */
    async sendSmsFallback(input: SmsFallbackInput): Promise<{ providerMessageId: string }> {
      const outcome = await sendSms(input);
      if (outcome.sent) return { providerMessageId: outcome.providerMessageId };
      throw ApplicationFailure.create({ message: outcome.rejection.reason, type: SMS_REJECTED, nonRetryable: true, details: [outcome.rejection] });
    },
  };
}
