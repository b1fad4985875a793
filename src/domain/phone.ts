import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/** HighLevel sends E.164 most of the time; anything else is parsed with the location's default country. */
export function normalizePhone(raw: string | null | undefined, defaultCountry = 'US'): PhoneResult {
  const input = (raw ?? '').trim();
  if (!input) return { ok: false, reason: 'no phone number on the message' };
  const parsed = parsePhoneNumberFromString(input, defaultCountry as CountryCode);
  if (!parsed) return { ok: false, reason: `"${input.length > 4 ? `${input.slice(0, 3)}…` : input}" is not a phone number` };
  if (!parsed.isPossible()) return { ok: false, reason: 'the phone number has an impossible length for its country' };
  if (!parsed.isValid()) return { ok: false, reason: 'the phone number is not valid for its country' };
  return { ok: true, e164: parsed.number };
}

/** ISO 3166 alpha-2 country of an E.164 number (what rate cards are keyed by); null when unknown. */
export function countryOfNumber(e164: string | null | undefined): string | null {
  return (e164 && parsePhoneNumberFromString(e164)?.country) || null;
}

/**
 * The one number a WhatsApp contact is keyed by (24-hour window, consent, HighLevel contact): the E.164 number
 * HighLevel holds. WhatsApp ids keep older numbering plans, so the same person can arrive as another number:
 * - Mexico: wa_id `521` + 10 digits, while the number has been `+52` + 10 digits since 2019 (the mobile `1` is gone);
 * - Brazil: accounts older than the ninth digit arrive as `55` + area + 8 digits; mobiles (first digit 6–9) now
 *   carry a `9` in front, landlines (2–5) do not.
 * Any other number, and anything already canonical, comes back unchanged.
 */
export function canonicalWhatsAppNumber(e164: string): string {
  const mexico = /^\+521(\d{10})$/.exec(e164);
  if (mexico) return `+52${mexico[1]}`;
  const brazil = /^\+55([1-9]{2})([6-9]\d{7})$/.exec(e164);
  if (brazil) return `+55${brazil[1]}9${brazil[2]}`;
  return e164;
}

/** `+` and the digits of a WhatsApp id (wa_id, Twilio WaId), as the number it stands for before any rule. */
export function whatsAppIdAsNumber(waId: string): string | null {
  const digits = waId.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}
