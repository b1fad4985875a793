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

/** Secrets in the query, and any path segment or query value that is a phone number (masked like maskPhone). */
export function redactQuery(url: string): string {
  return url
    .replace(/([?&](?:token|code|hub\.verify_token)=)[^&]*/g, '$1[redacted]')
    .replace(/(?<=[/=])(\+|%2B)?(\d{7,15})(?=$|[/?&#])/gi, (_match, plus: string | undefined, digits: string) => maskPhone(`${plus ? '+' : ''}${digits}`));
}

/** "+15864603685" → "+1586•••••85": enough to tell numbers apart in ops logs, not enough to dial. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '(none)';
  if (phone.length <= 6) return '•'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'•'.repeat(phone.length - 7)}${phone.slice(-2)}`;
}
