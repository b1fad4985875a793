import type { FastifyServerOptions } from 'fastify';

/** Paths pino censors wherever they appear in a logged object: secrets and full phone numbers never reach logs. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-ghl-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-twilio-signature"]',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.authToken',
  '*.token',
  '*.phone',
  '*.to',
  '*.from',
];

export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // URLs may carry the Delivery URL `token`, the OAuth `code` and Meta's hub.verify_token.
      req: (req: { method: string; url: string }) => ({ method: req.method, url: redactQuery(req.url) }),
    },
  };
}

/**
 * Secrets in the query, and any path segment or query value that is a phone number (masked like maskPhone), however
 * it is written: `+1 586-460-3685`, `%2B1%20(586)%20460.3685` and `1586…` alike.
 */
export function redactQuery(url: string): string {
  return url
    .replace(/([?&](?:token|code|hub\.verify_token)=)[^&]*/g, '$1[redacted]')
    .replace(/(?<=[/=])[^/?&#=]+(?=$|[/?&#])/g, (part) => maskedPhone(part) ?? part);
}

/** Spaces, brackets, dots, dashes; and a + that is not the first character (a space the query encoded as +). */
const PHONE_SEPARATORS = /[\s().\-]|(?<!^)\+/g;

/** The masked number when a URL part is a phone number written any way, else undefined. */
function maskedPhone(part: string): string | undefined {
  let text: string;
  try {
    text = decodeURIComponent(part.replace(/\+/g, '%2B'));
  } catch {
    return undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}(T|$)/.test(text)) return undefined; // a date, not a number
  const match = /^(\+?)(\d{7,15})$/.exec(text.replace(PHONE_SEPARATORS, ''));
  return match ? maskPhone(`${match[1]}${match[2]}`) : undefined;
}

/** "+15864603685" → "+1586•••••85": enough to tell numbers apart in ops logs, not enough to dial. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '(none)';
  if (phone.length <= 6) return '•'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'•'.repeat(phone.length - 7)}${phone.slice(-2)}`;
}
