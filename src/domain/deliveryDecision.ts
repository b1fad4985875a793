import { consentAllows, type ConsentStatus } from './consent';

export interface DecisionFacts {
  phoneE164: string | null;
  phoneProblem?: string;
  senderPausedReason: string | null;
  consent: ConsentStatus;
  highLevelWhatsAppDnd: boolean;
  windowOpen: boolean;
  treatUnknownConsentAsOptedIn: boolean;
}

/** Stable machine codes for why a message was not sent (ledger, HighLevel error.code, tests). */
export type SkipCode = 'invalid_phone' | 'sender_paused' | 'opted_out' | 'no_opt_in' | 'dnd' | 'window_closed';

export type DeliveryDecision = { action: 'free_text' } | { action: 'skip'; code: SkipCode; reason: string };

/** Ordered like the questions an agency would ask: can we reach this number, may we, and how. */
export function decideDelivery(facts: DecisionFacts): DeliveryDecision {
  if (!facts.phoneE164) return skip('invalid_phone', `invalid phone number: ${facts.phoneProblem ?? 'missing'}`);
  if (facts.senderPausedReason) return skip('sender_paused', `WhatsApp sender paused: ${facts.senderPausedReason}`);
  if (facts.consent === 'opted_out') return skip('opted_out', 'contact opted out of WhatsApp');
  if (facts.highLevelWhatsAppDnd) return skip('dnd', 'contact has Do Not Disturb active for WhatsApp in HighLevel');
  const consent = consentAllows(facts.consent, facts.windowOpen, facts.treatUnknownConsentAsOptedIn);
  if (!consent.allowed) return skip('no_opt_in', consent.reason);
  if (!facts.windowOpen) return skip('window_closed', 'outside the 24-hour window and no approved template');
  return { action: 'free_text' };
}

function skip(code: SkipCode, reason: string): DeliveryDecision {
  return { action: 'skip', code, reason };
}
