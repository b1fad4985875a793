import type { FallbackTrigger } from './locationSettings';

export type { FallbackTrigger } from './locationSettings';

export interface SmsFacts {
  fallbackEnabled: boolean;
  smsConfigured: boolean;
  phoneE164: string | null;
  /** HighLevel contact DND for SMS, or DND on every channel. */
  highLevelSmsDnd: boolean;
  highLevelAllDnd: boolean;
}

/** `code` says why not without comparing sentences (absent in permissions recorded before it existed). */
export type SmsPermission = { allowed: true } | { allowed: false; reason: string; code?: 'off' | 'not_configured' | 'no_phone' | 'dnd' };

/** Whether an SMS may go out for this message at all, whatever went wrong on WhatsApp. */
export function smsPermission(facts: SmsFacts): SmsPermission {
  if (!facts.fallbackEnabled) return { allowed: false, code: 'off', reason: 'SMS fallback is off for this location' };
  if (!facts.smsConfigured) return { allowed: false, code: 'not_configured', reason: 'no Twilio SMS sender is configured for this location' };
  if (!facts.phoneE164) return { allowed: false, code: 'no_phone', reason: 'no valid phone number' };
  if (facts.highLevelAllDnd) return { allowed: false, code: 'dnd', reason: 'contact has Do Not Disturb active on all channels in HighLevel' };
  if (facts.highLevelSmsDnd) return { allowed: false, code: 'dnd', reason: 'contact has Do Not Disturb active for SMS in HighLevel' };
  return { allowed: true };
}

export type FallbackDecision = { fallBack: true; trigger: FallbackTrigger } | { fallBack: false; blockedBy?: string };

/**
 * The one rule for "does this message go by SMS now": WhatsApp hit a trouble the location falls back on, the SMS
 * is allowed for this contact, and none went out yet. `blockedBy` says why not when the location would have fallen
 * back but this contact cannot get an SMS (HighLevel is told); a location without the fallback says nothing.
 */
export function mayFallBackToSms(input: { trigger: FallbackTrigger | undefined; permission: SmsPermission; enabledTriggers: FallbackTrigger[]; smsAlreadySent: boolean }): FallbackDecision {
  if (!input.trigger || input.smsAlreadySent || !input.enabledTriggers.includes(input.trigger)) return { fallBack: false };
  if (input.permission.allowed) return { fallBack: true, trigger: input.trigger };
  return input.permission.code === 'off' ? { fallBack: false } : { fallBack: false, blockedBy: input.permission.reason };
}

/** The fallback trigger a provider error class stands for (undefined: no SMS would help). */
export function fallbackTriggerFor(errorClass: string | undefined): FallbackTrigger | undefined {
  if (errorClass === 'fallback') return 'not_on_whatsapp';
  if (errorClass === 'needs_template') return 'no_template';
  if (errorClass === 'pause_sender') return 'whatsapp_unavailable';
  return undefined;
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
