export type ConsentStatus = 'unknown' | 'opted_in' | 'opted_out';

export type ConsentVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * WhatsApp policy: replies inside the 24 h window are fine unless the contact opted out; business-initiated
 * messages (window closed) need an opt-in. `unknown` may be allowed per location for migrated lists.
 */
export function consentAllows(status: ConsentStatus, windowOpen: boolean, treatUnknownAsOptedIn: boolean): ConsentVerdict {
  if (status === 'opted_out') return { allowed: false, reason: 'contact opted out of WhatsApp' };
  if (windowOpen || status === 'opted_in' || treatUnknownAsOptedIn) return { allowed: true };
  return { allowed: false, reason: 'no WhatsApp opt-in recorded for a business-initiated message' };
}
