import type { FallbackTrigger } from '../src/domain/locationSettings';
import { isWindowOpen } from '../src/domain/conversationWindow';
import { decideDelivery, type DeliveryDecision, type SkipCode } from '../src/domain/deliveryDecision';
import { smsPermission, type SmsPermission } from '../src/domain/fallbackPolicy';
import { contactDndFacts } from '../src/domain/highLevelDnd';
import { resolveSettings } from '../src/domain/locationSettings';
import type { TemplateMessage } from '../src/domain/outboundContent';
import type { HighLevelContact } from '../src/providers/highlevel/highLevelClient';
import { MissingTokenError } from '../src/providers/highlevel/tokenStore';
import { currentConsent } from '../src/store/consent';
import { lastInboundAt } from '../src/store/conversationWindows';
import { requireLocation } from './locations';
import { chooseTemplateForLocation } from '../src/store/templateContext';
import type { ActivityDeps } from './deps';
import { highLevelFailure } from './highLevelFailures';

/** What to send on WhatsApp; a skip names the fallback trigger it stands for. */
export type DeliveryPlan =
  | { action: 'free_text'; text: string }
  | { action: 'template'; text: string; template: TemplateMessage; attachmentsUsed: string[]; source: string; reason: string }
  | { action: 'skip'; code: string; reason: string; trigger?: FallbackTrigger };

export interface PolicyResult {
  /** The first version's decision, kept so histories recorded before templates replay unchanged. */
  decision: DeliveryDecision;
  plan: DeliveryPlan;
  receiptTimeoutMs: number;
  lateReceiptWindowMs: number;
  sms: { permission: SmsPermission; deadlineMs: number; triggers: FallbackTrigger[] };
  facts: Record<string, unknown>;
}

const SKIP_TRIGGERS: Partial<Record<SkipCode, FallbackTrigger>> = {
  opted_out: 'whatsapp_opt_out',
  dnd: 'whatsapp_opt_out',
  no_opt_in: 'no_whatsapp_consent',
  sender_paused: 'whatsapp_unavailable',
};

export interface DecideInput {
  locationId: string;
  contactId: string;
  phoneE164: string | null;
  phoneProblem?: string;
  text?: string;
  attachments?: string[];
  /** After Meta's 131047 the window is closed whatever our records say. */
  assumeWindowClosed?: boolean;
}

export function createPolicyActivities({ db, config, highLevel }: ActivityDeps) {
  const contactOf = async (locationId: string, contactId: string): Promise<HighLevelContact | null> => {
    try {
      return await highLevel.getContact(locationId, contactId);
    } catch (error) {
      if (error instanceof MissingTokenError) throw highLevelFailure(error);
      throw error;
    }
  };

  return {
    /** Gathers the facts (location, consent ledger, HighLevel DND, 24 h window, templates) and applies the pure rules. */
    async decideDelivery(input: DecideInput): Promise<PolicyResult> {
      const location = await requireLocation(db, input.locationId);
      const settings = resolveSettings(location.settings, {
        receiptTimeoutSeconds: config.RECEIPT_TIMEOUT_SECONDS,
        lateReceiptWindowSeconds: config.LATE_RECEIPT_WINDOW_SECONDS,
      });
      const phone = input.phoneE164;
      const [consent, lastInbound, contact] = phone
        ? await Promise.all([currentConsent(db, input.locationId, phone), lastInboundAt(db, input.locationId, phone), contactOf(input.locationId, input.contactId)])
        : (['unknown', null, await contactOf(input.locationId, input.contactId)] as const);
      const windowOpen = !input.assumeWindowClosed && isWindowOpen(lastInbound, new Date());
      const dnd = contactDndFacts(contact);
      const facts = {
        phoneE164: phone,
        phoneProblem: input.phoneProblem,
        senderPausedReason: location.sender_paused_reason,
        consent,
        highLevelWhatsAppDnd: dnd.whatsApp,
        windowOpen,
        treatUnknownConsentAsOptedIn: settings.treatUnknownConsentAsOptedIn,
      };
      const decision = decideDelivery(facts);
      const text = input.text ?? '';
      let plan: DeliveryPlan;
      if (decision.action === 'skip' && decision.code !== 'window_closed') {
        plan = { action: 'skip', code: decision.code, reason: decision.reason, ...(SKIP_TRIGGERS[decision.code] ? { trigger: SKIP_TRIGGERS[decision.code] } : {}) };
      } else {
        const choice = await chooseTemplateForLocation(
          db,
          { locationId: input.locationId, text, attachments: input.attachments ?? [], windowOpen, contactId: input.contactId },
          async () => (contact as unknown as Record<string, unknown>) ?? null,
        );
        if (choice.kind === 'free_text') plan = { action: 'free_text', text: choice.text };
        else if (choice.kind === 'template') {
          plan = { action: 'template', text: choice.text, template: choice.template, attachmentsUsed: choice.attachmentsUsed, source: choice.source, reason: choice.reason };
        } else plan = { action: 'skip', code: choice.code, reason: choice.reason, trigger: 'no_template' };
      }
      const permission = smsPermission({
        fallbackEnabled: settings.smsFallback,
        smsConfigured: !!location.twilio_account_sid && !!location.twilio_auth_token_enc && !!(location.twilio_sms_from || location.twilio_messaging_service_sid),
        phoneE164: phone,
        highLevelSmsDnd: dnd.sms,
        highLevelAllDnd: dnd.all,
      });
      return {
        decision,
        plan,
        receiptTimeoutMs: settings.receiptTimeoutSeconds * 1000,
        lateReceiptWindowMs: settings.lateReceiptWindowSeconds * 1000,
        sms: { permission, deadlineMs: settings.smsFallbackDeadlineSeconds * 1000, triggers: settings.smsFallbackOn },
        facts: { ...facts, phoneE164: undefined, lastInboundAt: lastInbound?.toISOString() ?? null, smsAllowed: permission.allowed },
      };
    },
  };
}
