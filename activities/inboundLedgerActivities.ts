import type { ConsentStatus } from '../src/domain/consent';
import { matchKeyword, matchTappedKeyword, type KeywordMatch } from '../src/domain/keywords';
import { resolveSettings } from '../src/domain/locationSettings';
import { canonicalWhatsAppNumber } from '../src/domain/phone';
import { appendConsent, currentConsent } from '../src/store/consent';
import { findLinkedContact, senderKeys } from '../src/store/contactLinks';
import { recordInbound } from '../src/store/conversationWindows';
import { claimInboundMessage, updateInboundMessage, type InboundChange } from '../src/store/inboundMessages';
import type { InboundEvent } from '../src/providers/messagingPort';
import type { ReceiveInboundInput } from '../workflows/shared';
import type { ActivityDeps } from './deps';
import { requireLocation } from './locations';

/** What accepting any reply, WhatsApp or SMS, tells the workflow. */
export interface AcceptedMessage {
  /** Already threaded into HighLevel by an earlier run: nothing left to do. */
  duplicate: boolean;
  /** The sender's number, from the message or remembered for their user id. */
  phoneE164: string | null;
  keyword: KeywordMatch | null;
  /** Set DND in HighLevel (opt-out), or clear it (an opt-in that undoes an opt-out). */
  mirrorInHighLevel: boolean;
}

/** A WhatsApp message also says what to do around it, from the location's settings. */
export interface AcceptedWhatsApp extends AcceptedMessage {
  /** The tag set with DND on an opt-out. */
  optOutTag: string;
  confirmation: string | null;
  markAsRead: boolean;
}

/** Only what the person typed or tapped can be a keyword; a caption or a location cannot. */
const TAPPED = new Set<InboundEvent['type']>(['button', 'interactive']);

export function createInboundLedgerActivities({ db, config }: ActivityDeps) {
  return {
    /**
     * The fast first step, before any HighLevel call: claims the message (deduplicated by its provider id),
     * renews the 24-hour window and records a keyword's consent change, all in one transaction.
     */
    async acceptInbound(input: ReceiveInboundInput): Promise<AcceptedWhatsApp> {
      const { event } = input;
      const location = await requireLocation(db, input.locationId);
      const settings = resolveSettings(location.settings, {
        receiptTimeoutSeconds: config.RECEIPT_TIMEOUT_SECONDS,
        lateReceiptWindowSeconds: config.LATE_RECEIPT_WINDOW_SECONDS,
      });
      const sender = event.from ?? (await findLinkedContact(db, input.locationId, senderKeys(null, event.fromUserId)))?.phoneE164 ?? null;
      // The api already gives the canonical number; runs it started before it did get the rule here.
      const phone = sender ? canonicalWhatsAppNumber(sender) : null;
      const keyword =
        event.type === 'text'
          ? matchKeyword(event.text, settings)
          : TAPPED.has(event.type)
            ? (matchTappedKeyword(event.text, settings) ?? matchTappedKeyword(event.payload, settings))
            : null;
      const fromPerson = event.type !== 'system';

      const { duplicate, previousConsent } = await db.transaction().execute(async (trx) => {
        const before: ConsentStatus = phone ? await currentConsent(trx, input.locationId, phone) : 'unknown';
        const { fresh, record } = await claimInboundMessage(trx, {
          provider: event.provider,
          providerMessageId: event.providerMessageId,
          locationId: input.locationId,
          phoneE164: phone,
          fromUserId: event.fromUserId ?? null,
          type: event.type,
          occurredAt: new Date(event.occurredAt),
          keywordAction: keyword?.action ?? null,
          detail: {
            ...(event.payload ? { payload: event.payload } : {}),
            ...(event.replyTo ? { replyTo: event.replyTo } : {}),
            ...(keyword ? { keyword: keyword.keyword } : {}),
            consentBefore: before,
            media: event.media.length,
            receivedAt: input.receivedAt,
          },
        });
        // A retried step finds its own row: the consent it saw the first time is the one that counts.
        if (!fresh) return { duplicate: record.status === 'delivered', previousConsent: (record.detail.consentBefore as ConsentStatus | undefined) ?? before };
        if (phone && fromPerson) await recordInbound(trx, input.locationId, phone, new Date(event.occurredAt));
        if (phone && keyword) {
          await appendConsent(trx, {
            locationId: input.locationId,
            phoneE164: phone,
            status: keyword.action === 'opt_out' ? 'opted_out' : 'opted_in',
            source: 'keyword',
            evidence: `WhatsApp message ${event.providerMessageId} was the keyword "${keyword.keyword}"`,
          });
        } else if (phone && fromPerson && settings.treatInboundAsOptIn && before === 'unknown') {
          await appendConsent(trx, {
            locationId: input.locationId,
            phoneE164: phone,
            status: 'opted_in',
            source: 'inbound_conversation',
            evidence: `the contact wrote first: WhatsApp message ${event.providerMessageId}`,
          });
        }
        return { duplicate: false, previousConsent: before };
      });

      // "YES" answering a question is not news to HighLevel: only an opt-in that undoes an opt-out is mirrored and confirmed.
      const mirrorInHighLevel = keyword?.action === 'opt_out' || (keyword?.action === 'opt_in' && (previousConsent === 'opted_out' || !phone));
      const confirmation = !mirrorInHighLevel ? '' : keyword?.action === 'opt_out' ? settings.optOutConfirmation : settings.optInConfirmation;
      return {
        duplicate,
        phoneE164: phone,
        keyword,
        mirrorInHighLevel,
        optOutTag: settings.optOutTag.trim(),
        confirmation: confirmation.trim() ? confirmation.trim() : null,
        markAsRead: settings.markInboundAsRead,
      };
    },

    async finishInbound(provider: string, providerMessageId: string, change: InboundChange): Promise<void> {
      await updateInboundMessage(db, provider, providerMessageId, change);
    },
  };
}
