/**
 * Ids that arrive from outside (a location id in a webhook body, a path parameter) are checked before any lookup:
 * PostgreSQL refuses a NUL in text, and an unbounded id is no id of ours. Pure.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Why `value` cannot be an id (undefined when it can). */
export function idProblem(value: string, maxLength = 128): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > maxLength) return `is longer than ${maxLength} characters`;
  if (CONTROL_CHARACTERS.test(value)) return 'contains control characters';
  return undefined;
}

/** Twilio account SIDs are AC followed by 32 hex digits. */
export function isTwilioAccountSid(value: string): boolean {
  return /^AC[0-9a-fA-F]{32}$/.test(value);
}
