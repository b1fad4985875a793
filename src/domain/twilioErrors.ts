import type { ErrorClass, ProviderError } from './providerErrors';

/**
 * Twilio's error codes (WhatsApp 63xxx, SMS 21xxx/30xxx, REST 20xxx) onto the same classes as Meta's,
 * so the workflow decides the same way whichever back end sent. Table: whatsapp.md B.4.
 */
const NEEDS_TEMPLATE = new Set([63016]);
/** Not reachable on WhatsApp (63003/63024 ≈ Meta 131026), or WhatsApp held a marketing message back (63032 ≈ 130472, 63049 ≈ 131049). */
const FALLBACK = new Set([63003, 63024, 63032, 63049]);
/** Worth trying again after a backoff: rate limits, unreachable handset, unknown error, generic channel error. */
const RETRY = new Set([20429, 63018, 30003, 30008, 63012, 20500, 20503]);
/**
 * Account-level: every further send would fail the same way until someone fixes the account or sender.
 * 63112: Meta disabled the Meta Business / WhatsApp Business Account behind the sender (≈ Meta 368 / 131031).
 */
const PAUSE_SENDER = new Set([20003, 20005, 30002, 63007, 63112]);
/** The contact unsubscribed from SMS with STOP (or a synonym); only their START re-subscribes them. */
const SMS_OPT_OUT = new Set([21610]);

export function classifyTwilioError(error: ProviderError): ErrorClass {
  if (NEEDS_TEMPLATE.has(error.code)) return 'needs_template';
  if (FALLBACK.has(error.code)) return 'fallback';
  if (PAUSE_SENDER.has(error.code)) return 'pause_sender';
  if (RETRY.has(error.code)) return 'retry';
  if (error.httpStatus === 429 || (error.httpStatus !== undefined && error.httpStatus >= 500)) return 'retry';
  return 'permanent';
}

/** True when Twilio refused because the contact opted out of SMS: permanent, and worth recording as consent. */
export function isTwilioSmsOptOut(error: ProviderError): boolean {
  return SMS_OPT_OUT.has(error.code);
}

const HUMAN_REASONS: Record<number, string> = {
  63016: 'more than 24 hours since the contact last replied; only an approved template can be sent',
  63003: 'the number cannot be reached on WhatsApp (inactive, invalid or badly formatted)',
  63024: 'the number is not on WhatsApp or cannot receive messages (old app, terms not accepted)',
  63032: 'WhatsApp held back this marketing message (a Meta experiment)',
  63049: 'WhatsApp chose not to deliver this marketing message (US recipient or marketing limit)',
  63033: 'the contact stopped marketing messages from this business on WhatsApp',
  63018: 'the WhatsApp sender rate limit was exceeded',
  63014: 'the contact blocked this business on WhatsApp',
  63015: 'the contact has not joined the Twilio WhatsApp sandbox',
  63007: 'Twilio has no WhatsApp sender for the From address; check the location configuration',
  63012: 'WhatsApp reported a temporary channel error',
  63112: "Meta disabled the Meta Business or WhatsApp Business Account behind this WhatsApp sender; see the account's status in WhatsApp Manager",
  21610: 'the contact opted out of SMS (replied STOP); they must reply START to receive SMS again',
  21614: 'the number is not a mobile number (landline or cannot receive SMS)',
  21211: 'the phone number is not valid',
  21212: 'the sender (From) number is not valid',
  21603: 'no sender is configured (From number or Messaging Service)',
  21606: 'the sender (From) number cannot send to this number',
  21408: 'SMS to this region is not enabled on the Twilio account',
  21655: 'no Twilio Content template (ContentSid) exists for this WhatsApp template',
  21656: 'the template variables are not valid',
  30002: 'the Twilio account is suspended',
  30003: 'the handset is unreachable (switched off or out of coverage)',
  30004: 'the message was blocked by the carrier or the recipient',
  30005: 'the number is unknown or no longer in service',
  30006: 'the number is a landline or its carrier cannot be reached',
  30007: 'the carrier filtered the message as spam',
  30008: 'the carrier reported an unknown delivery error',
  20003: 'Twilio rejected the account credentials (Account SID or Auth Token)',
  20005: 'the Twilio account is not active',
  20429: 'too many concurrent requests to Twilio',
};

/** A reason an agency user understands, carrying Twilio's code. */
export function describeTwilioError(error: ProviderError): string {
  const reason = HUMAN_REASONS[error.code] ?? error.details ?? error.title ?? 'Twilio reported an error';
  return `Twilio error ${error.code}: ${reason}`;
}
