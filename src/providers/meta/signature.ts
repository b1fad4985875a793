import crypto from 'node:crypto';

/** X-Hub-Signature-256 value for a raw webhook body: `sha256=` + lowercase hex HMAC with the App Secret. */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Verifies over the exact raw bytes; re-serialised JSON would unescape \uXXXX and break the signature. */
export function verifyMetaSignature(rawBody: Buffer | string, header: string | undefined, appSecret: string): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(signMetaPayload(rawBody, appSecret));
  const given = Buffer.from(header.trim().toLowerCase());
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
