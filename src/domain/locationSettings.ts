import type { FallbackTrigger, LocationSettings } from '../db/schema';

export type ResolvedSettings = Required<LocationSettings>;

export const DEFAULT_OPT_OUT_TAG = 'whatsapp-opted-out';
export const DEFAULT_OPT_OUT_CONFIRMATION = 'You have been unsubscribed from our WhatsApp messages. Reply START to subscribe again.';
export const DEFAULT_OPT_IN_CONFIRMATION = 'You are subscribed to our WhatsApp messages again. Reply STOP to unsubscribe.';

/** Opt-out is not a default trigger: texting someone who left WhatsApp is the agency's explicit choice. */
export const DEFAULT_FALLBACK_TRIGGERS: FallbackTrigger[] = ['no_receipt', 'not_on_whatsapp', 'no_template', 'no_whatsapp_consent', 'whatsapp_unavailable'];

export interface SettingDefaults {
  receiptTimeoutSeconds: number;
  lateReceiptWindowSeconds: number;
  /** HELD_MAX_AGE_SECONDS; a day when the caller has no config at hand. */
  heldMaxAgeSeconds?: number;
}

export function resolveSettings(settings: LocationSettings | null | undefined, defaults: SettingDefaults): ResolvedSettings {
  return {
    receiptTimeoutSeconds: settings?.receiptTimeoutSeconds ?? defaults.receiptTimeoutSeconds,
    lateReceiptWindowSeconds: settings?.lateReceiptWindowSeconds ?? defaults.lateReceiptWindowSeconds,
    defaultCountry: settings?.defaultCountry ?? 'US',
    treatUnknownConsentAsOptedIn: settings?.treatUnknownConsentAsOptedIn ?? false,
    markInboundAsRead: settings?.markInboundAsRead ?? false,
    optOutKeywords: settings?.optOutKeywords ?? [],
    optInKeywords: settings?.optInKeywords ?? [],
    useDefaultKeywords: settings?.useDefaultKeywords ?? true,
    optOutTag: settings?.optOutTag ?? DEFAULT_OPT_OUT_TAG,
    optOutConfirmation: settings?.optOutConfirmation ?? DEFAULT_OPT_OUT_CONFIRMATION,
    optInConfirmation: settings?.optInConfirmation ?? DEFAULT_OPT_IN_CONFIRMATION,
    treatInboundAsOptIn: settings?.treatInboundAsOptIn ?? false,
    smsFallback: settings?.smsFallback ?? false,
    smsFallbackDeadlineSeconds: settings?.smsFallbackDeadlineSeconds ?? 600,
    smsFallbackOn: settings?.smsFallbackOn ?? DEFAULT_FALLBACK_TRIGGERS,
    heldMaxAgeSeconds: settings?.heldMaxAgeSeconds ?? defaults.heldMaxAgeSeconds ?? 86_400,
    releasePerSecond: settings?.releasePerSecond ?? 5,
  };
}
