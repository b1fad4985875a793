import crypto from 'node:crypto';

/** Meta's X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the raw body with the App Secret. */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
