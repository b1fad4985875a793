import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { classifyTwilioError, describeTwilioError } from '../src/domain/twilioErrors';
import { ledgerTimeline, recordLedgerEvent } from '../src/store/ledger';
import { findLocation } from '../src/store/locations';
import { ProviderSendError } from '../src/providers/whatsappPort';
import type { ActivityDeps } from './deps';
import type { SendRejection } from './whatsAppActivities';

export const SMS_REJECTED = 'SmsSendRejected';

export function createSmsActivities({ db, smsSenderFor }: ActivityDeps) {
  return {
    /**
     * At most one SMS per message: an SMS already on the ledger is returned instead of sent again, so activity
     * retries, worker restarts and replays cannot text the contact twice.
     */
    async sendSmsFallback(input: { messageId: string; locationId: string; to: string; text: string; attachments: string[]; reason: string }): Promise<{ providerMessageId: string }> {
      const earlier = (await ledgerTimeline(db, input.messageId)).find((event) => event.type === 'sms_sent');
      if (earlier) return { providerMessageId: String(earlier.detail.providerMessageId) };
      const location = await findLocation(db, input.locationId);
      if (!location) throw ApplicationFailure.nonRetryable(`location ${input.locationId} is not configured`, 'UnknownLocation');
      try {
        const { providerMessageId } = await smsSenderFor(location).sendSms(input.to, input.text, input.attachments, input.messageId);
        await recordLedgerEvent(
          db,
          input.messageId,
          'sms_sent',
          { provider: 'twilio', providerMessageId, reason: input.reason, attempt: activityInfo().attempt },
          { statusReason: input.reason },
        );
        return { providerMessageId };
      } catch (error) {
        if (!(error instanceof ProviderSendError)) throw error;
        const errorClass = classifyTwilioError(error.providerError);
        const reason = describeTwilioError(error.providerError);
        if (errorClass === 'retry') throw ApplicationFailure.create({ message: reason, type: 'SmsSendRetryable' });
        const rejection: SendRejection = { errorClass, code: error.providerError.code, reason };
        throw ApplicationFailure.create({ message: reason, type: SMS_REJECTED, nonRetryable: true, details: [rejection] });
      }
    },
  };
}
