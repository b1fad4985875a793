import { ApplicationFailure } from '@temporalio/activity';
import { isWindowOpen } from '../src/domain/conversationWindow';
import { decideDelivery, type DeliveryDecision } from '../src/domain/deliveryDecision';
import { resolveSettings } from '../src/domain/locationSettings';
import { currentConsent } from '../src/store/consent';
import { lastInboundAt } from '../src/store/conversationWindows';
import { findLocation } from '../src/store/locations';
import type { ActivityDeps } from './deps';

export interface PolicyResult {
  decision: DeliveryDecision;
  receiptTimeoutMs: number;
  lateReceiptWindowMs: number;
  facts: Record<string, unknown>;
}

export function createPolicyActivities({ db, config, highLevel }: ActivityDeps) {
  return {
    /** Gathers the facts (location, consent ledger, HighLevel DND, 24 h window) and applies the pure rules. */
    async decideDelivery(input: { locationId: string; contactId: string; phoneE164: string | null; phoneProblem?: string }): Promise<PolicyResult> {
      const location = await findLocation(db, input.locationId);
      if (!location) throw ApplicationFailure.nonRetryable(`location ${input.locationId} is not configured`, 'UnknownLocation');
      const settings = resolveSettings(location.settings, {
        receiptTimeoutSeconds: config.RECEIPT_TIMEOUT_SECONDS,
        lateReceiptWindowSeconds: config.LATE_RECEIPT_WINDOW_SECONDS,
      });
      const phone = input.phoneE164;
      const [consent, lastInbound, contact] = phone
        ? await Promise.all([
            currentConsent(db, input.locationId, phone),
            lastInboundAt(db, input.locationId, phone),
            highLevel.getContact(input.locationId, input.contactId),
          ])
        : (['unknown', null, null] as const);
      const windowOpen = isWindowOpen(lastInbound, new Date());
      const facts = {
        phoneE164: phone,
        phoneProblem: input.phoneProblem,
        senderPausedReason: location.sender_paused_reason,
        consent,
        highLevelWhatsAppDnd: contact?.dndSettings?.WhatsApp?.status === 'active',
        windowOpen,
        treatUnknownConsentAsOptedIn: settings.treatUnknownConsentAsOptedIn,
      };
      return {
        decision: decideDelivery(facts),
        receiptTimeoutMs: settings.receiptTimeoutSeconds * 1000,
        lateReceiptWindowMs: settings.lateReceiptWindowSeconds * 1000,
        facts: { ...facts, phoneE164: undefined, lastInboundAt: lastInbound?.toISOString() ?? null },
      };
    },
  };
}
