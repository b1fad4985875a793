import { ApplicationFailure } from '@temporalio/activity';
import { isWindowOpen } from '../src/domain/conversationWindow';
import type { KeywordAction } from '../src/domain/keywords';
import { classifyMetaError, describeMetaError } from '../src/domain/metaErrors';
import { ProviderSendError } from '../src/providers/messagingPort';
import { lastInboundAt } from '../src/store/conversationWindows';
import { findInboundMessage, updateInboundMessage } from '../src/store/inboundMessages';
import { findLocation } from '../src/store/locations';
import type { ActivityDeps } from './deps';
import { highLevelFailure } from './highLevelFailures';
import { FAILURE } from '../src/domain/failures';

export type ConfirmationResult = { sent: true; providerMessageId: string } | { sent: false; reason: string };

export function createConsentActivities({ db, highLevel, whatsAppSenderFor }: ActivityDeps) {
  return {
    /**
     * Mirrors a keyword in HighLevel so its own sends and automations see it: WhatsApp DND on (off for an
     * opt-in) and the opt-out tag added (removed). Both calls are idempotent, so retries are harmless.
     */
    async applyConsentInHighLevel(input: { locationId: string; contactId: string; action: KeywordAction; keyword: string; tag: string }): Promise<void> {
      const optOut = input.action === 'opt_out';
      try {
        await highLevel.setChannelDnd(input.locationId, input.contactId, 'WhatsApp', {
          status: optOut ? 'active' : 'inactive',
          message: `${optOut ? 'Opted out' : 'Opted back in'} on WhatsApp with "${input.keyword}"`,
        });
        if (input.tag && optOut) await highLevel.addContactTags(input.locationId, input.contactId, [input.tag]);
        if (input.tag && !optOut) await highLevel.removeContactTags(input.locationId, input.contactId, [input.tag]);
      } catch (error) {
        throw highLevelFailure(error);
      }
    },

    /**
     * The short keyword confirmation, sent through the location's WhatsApp sender only while the contact's
     * 24-hour window is open (a redelivered old STOP gets none). Sent at most once per inbound message.
     */
    async sendConsentConfirmation(input: { locationId: string; provider: string; providerMessageId: string; to: string; text: string; reference: string }): Promise<ConfirmationResult> {
      const known = await findInboundMessage(db, input.provider, input.providerMessageId);
      if (known?.confirmationMessageId) return { sent: true, providerMessageId: known.confirmationMessageId };
      const location = await findLocation(db, input.locationId);
      if (!location) return { sent: false, reason: 'location is not configured' };
      if (location.sender_paused_reason) return { sent: false, reason: `WhatsApp sender paused: ${location.sender_paused_reason}` };
      if (!isWindowOpen(await lastInboundAt(db, input.locationId, input.to), new Date())) return { sent: false, reason: 'outside the 24-hour window' };
      try {
        const { providerMessageId } = await whatsAppSenderFor(location).send(input.to, { kind: 'text', body: input.text, previewUrl: false }, input.reference);
        await updateInboundMessage(db, input.provider, input.providerMessageId, { confirmationMessageId: providerMessageId });
        return { sent: true, providerMessageId };
      } catch (error) {
        if (!(error instanceof ProviderSendError)) throw error; // network: retried
        if (classifyMetaError(error.providerError) === 'retry') throw ApplicationFailure.retryable(error.message, FAILURE.whatsAppSendRetryable);
        return { sent: false, reason: describeMetaError(error.providerError) };
      }
    },
  };
}
