import type { FallbackTrigger } from '../db/schema';

export type { FallbackTrigger } from '../db/schema';

export interface SmsFacts {
  fallbackEnabled: boolean;
  smsConfigured: boolean;
  phoneE164: string | null;
  /** HighLevel contact DND for SMS, or DND on every channel. */
  highLevelSmsDnd: boolean;
  highLevelAllDnd: boolean;
}

export type SmsPermission = { allowed: true } | { allowed: false; reason: string };

/** Whether an SMS may go out for this message at all, whatever went wrong on WhatsApp. */
export function smsPermission(facts: SmsFacts): SmsPermission {
  if (!facts.fallbackEnabled) return { allowed: false, reason: 'SMS fallback is off for this location' };
  if (!facts.smsConfigured) return { allowed: false, reason: 'no Twilio SMS sender is configured for this location' };
  if (!facts.phoneE164) return { allowed: false, reason: 'no valid phone number' };
  if (facts.highLevelAllDnd) return { allowed: false, reason: 'contact has Do Not Disturb active on all channels in HighLevel' };
  if (facts.highLevelSmsDnd) return { allowed: false, reason: 'contact has Do Not Disturb active for SMS in HighLevel' };
  return { allowed: true };
}

export function triggers(trigger: FallbackTrigger, enabledTriggers: FallbackTrigger[]): boolean {
  return enabledTriggers.includes(trigger);
}

/** The ledger's and HighLevel's words for why the SMS went out. */
export function fallbackReason(trigger: FallbackTrigger, detail: { deadlineSeconds?: number; whatsAppReason?: string }): string {
  switch (trigger) {
    case 'no_receipt':
      return `sms after no WhatsApp receipt in ${detail.deadlineSeconds ?? '?'} s`;
    case 'not_on_whatsapp':
      return `sms after ${detail.whatsAppReason ?? 'WhatsApp reported the number unreachable'}`;
    case 'no_template':
      return `sms because WhatsApp could not be used: ${detail.whatsAppReason ?? 'no approved template outside the 24-hour window'}`;
    case 'no_whatsapp_consent':
      return 'sms because there is no WhatsApp opt-in for a business-initiated message';
    case 'whatsapp_opt_out':
      return 'sms because the contact opted out of WhatsApp but not of SMS';
    case 'whatsapp_unavailable':
      return `sms because WhatsApp was unavailable: ${detail.whatsAppReason ?? 'repeated errors'}`;
  }
}
