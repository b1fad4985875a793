/** Per-location policy (stored as the location's settings); every field optional, defaults below. */
export interface LocationSettings {
  receiptTimeoutSeconds?: number;
  lateReceiptWindowSeconds?: number;
  defaultCountry?: string;
  treatUnknownConsentAsOptedIn?: boolean;
  markInboundAsRead?: boolean;
  /** Extra opt-out / opt-in words for this location (checked before the multilingual defaults). */
  optOutKeywords?: string[];
  optInKeywords?: string[];
  /** False: only this location's own keywords count. */
  useDefaultKeywords?: boolean;
  /** HighLevel tag added on opt-out (removed on opt-in); '' adds none. */
  optOutTag?: string;
  /** Replies sent while the 24 h window is open; '' sends none. */
  optOutConfirmation?: string;
  optInConfirmation?: string;
  /** A contact writing first counts as a WhatsApp opt-in (source inbound_conversation) when nothing is on record. */
  treatInboundAsOptIn?: boolean;
  /** SMS through Twilio when WhatsApp cannot deliver (issue "SMS fallback"). Off by default. */
  smsFallback?: boolean;
  /** How long WhatsApp gets to report `delivered` before the SMS goes out. */
  smsFallbackDeadlineSeconds?: number;
  /** Which WhatsApp outcomes trigger the SMS (src/domain/fallbackPolicy.ts). */
  smsFallbackOn?: FallbackTrigger[];
  /** How long a message waits (held) for a paused sender to be resumed before it fails. */
  heldMaxAgeSeconds?: number;
  /** How fast held messages are released (and replays started) for this location after a resume. */
  releasePerSecond?: number;
}

export type FallbackTrigger = 'no_receipt' | 'not_on_whatsapp' | 'no_template' | 'no_whatsapp_consent' | 'whatsapp_opt_out' | 'whatsapp_unavailable';

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
