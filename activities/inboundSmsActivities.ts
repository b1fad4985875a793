import type { KeywordAction } from '../src/domain/keywords';
import { mirrorsSmsKeyword, smsKeyword } from '../src/domain/smsKeywords';
import { claimInboundMessage, lastSmsKeywordAction } from '../src/store/inboundMessages';
import type { ReceiveInboundInput } from '../workflows/shared';
import type { AcceptedMessage } from './inboundLedgerActivities';
import type { ActivityDeps } from './deps';
import { requireLocation } from './locations';
import { highLevelFailure } from './highLevelFailures';

/** What the workflow needs to know about an SMS reply; no window, consent, confirmation or read mark is involved. */
export type AcceptedSms = AcceptedMessage;

const isKeywordAction = (value: unknown): value is KeywordAction => value === 'opt_out' || value === 'opt_in';

/**
 * Plain SMS replies (Twilio, the SMS fallback number). Twilio itself blocks SMS after STOP (error 21610) and lifts
 * the block on START; we mirror that into HighLevel's SMS DND, which the delivery policy already honours. The
 * WhatsApp window and consent ledger are left alone: an SMS says nothing about WhatsApp.
 */
export function createInboundSmsActivities({ db, highLevel }: ActivityDeps) {
  return {
    /** Claims the SMS (deduplicated by MessageSid) and says whether a Twilio keyword should change HighLevel's SMS DND. */
    async acceptSmsInbound(input: ReceiveInboundInput): Promise<AcceptedSms> {
      const { event } = input;
      await requireLocation(db, input.locationId);
      const phone = event.from;
      const keyword = event.type === 'text' ? smsKeyword(event.text) : null;
      const occurredAt = new Date(event.occurredAt);
      const last = phone && keyword ? await lastSmsKeywordAction(db, input.locationId, phone, occurredAt) : null;
      const before = isKeywordAction(last) ? last : null;
      const { fresh, record } = await claimInboundMessage(db, {
        provider: event.provider,
        providerMessageId: event.providerMessageId,
        locationId: input.locationId,
        phoneE164: phone,
        fromUserId: null,
        type: event.type,
        occurredAt,
        keywordAction: keyword?.action ?? null,
        detail: {
          channel: 'sms',
          ...(keyword ? { keyword: keyword.keyword, smsKeywordBefore: before } : {}),
          media: event.media.length,
          receivedAt: input.receivedAt,
        },
      });
      // A retried step finds its own row: the earlier keyword it saw the first time is the one that counts.
      const previous = fresh ? before : isKeywordAction(record.detail.smsKeywordBefore) ? record.detail.smsKeywordBefore : null;
      return {
        duplicate: !fresh && record.status === 'delivered',
        phoneE164: phone,
        keyword,
        mirrorInHighLevel: phone !== null && mirrorsSmsKeyword(keyword, previous),
      };
    },

    /** SMS DND on for an SMS opt-out, off for the opt-in that undoes it; idempotent, so retries are harmless. */
    async applySmsConsentInHighLevel(input: { locationId: string; contactId: string; action: KeywordAction; keyword: string }): Promise<void> {
      const optOut = input.action === 'opt_out';
      try {
        await highLevel.setChannelDnd(input.locationId, input.contactId, 'SMS', {
          status: optOut ? 'active' : 'inactive',
          message: `${optOut ? 'Opted out of SMS' : 'Opted back in to SMS'} with "${input.keyword}"`,
        });
      } catch (error) {
        throw highLevelFailure(error);
      }
    },
  };
}
