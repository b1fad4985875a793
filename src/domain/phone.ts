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
