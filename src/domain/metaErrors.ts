import type { ErrorClass, ProviderError } from './providerErrors';

/** Meta's codes onto our classes (Meta's table is in whatsapp.md A.2). */

const RETRY = new Set([130429, 131056, 131000, 131016, 131057, 133004, 1, 2, 4, 80007]);
const PAUSE_SENDER = new Set([131048, 368, 190, 0, 3, 10, 131031, 131042]);
const FALLBACK = new Set([131026, 131049, 130472]);

export function classifyMetaError(error: ProviderError): ErrorClass {
  if (error.code === 131047) return 'needs_template';
  if (FALLBACK.has(error.code)) return 'fallback';
  if (PAUSE_SENDER.has(error.code) || (error.code >= 200 && error.code <= 299)) return 'pause_sender';
  if (RETRY.has(error.code)) return 'retry';
  if (error.isTransient) return 'retry';
  if (error.httpStatus !== undefined && error.httpStatus >= 500) return 'retry';
  return 'permanent';
}

const HUMAN_REASONS: Record<number, string> = {
  131026: 'the number is not on WhatsApp or cannot receive messages (old app, terms not accepted)',
  131047: 'more than 24 hours since the contact last replied; only an approved template can be sent',
  131049: 'WhatsApp held back this marketing message to protect engagement; retry in 24 hours',
  131050: 'the contact stopped marketing messages from this business on WhatsApp',
  130429: 'WhatsApp throughput limit reached',
  131056: 'too many messages to this contact in a short time',
  131048: 'the sender number is restricted for spam; check its quality in WhatsApp Manager',
  132000: 'the template parameter count does not match the template',
  132001: 'the template does not exist in this language or is not approved',
  132012: 'template parameters are formatted incorrectly',
  132015: 'the template is paused by Meta',
  132016: 'the template is disabled by Meta',
  131051: 'unsupported message type',
  131053: 'WhatsApp could not fetch or accept the media',
  131021: 'sender and recipient are the same number',
  190: 'the WhatsApp access token has expired',
  368: 'the WhatsApp Business Account is restricted for a policy violation',
  100: 'WhatsApp rejected the request parameters',
};

/** A reason an agency user understands, carrying Meta's code. */
export function describeMetaError(error: ProviderError): string {
  const reason = HUMAN_REASONS[error.code] ?? error.details ?? error.title ?? 'WhatsApp reported an error';
  return `WhatsApp error ${error.code}: ${reason}`;
}
