import type { LocationSettings } from '../db/schema';

export type ResolvedSettings = Required<LocationSettings>;

export interface SettingDefaults {
  receiptTimeoutSeconds: number;
  lateReceiptWindowSeconds: number;
}

export function resolveSettings(settings: LocationSettings | null | undefined, defaults: SettingDefaults): ResolvedSettings {
  return {
    receiptTimeoutSeconds: settings?.receiptTimeoutSeconds ?? defaults.receiptTimeoutSeconds,
    lateReceiptWindowSeconds: settings?.lateReceiptWindowSeconds ?? defaults.lateReceiptWindowSeconds,
    defaultCountry: settings?.defaultCountry ?? 'US',
    treatUnknownConsentAsOptedIn: settings?.treatUnknownConsentAsOptedIn ?? false,
    markInboundAsRead: settings?.markInboundAsRead ?? false,
  };
}
