import crypto from 'node:crypto';

/** HighLevel's X-GHL-Signature: base64 Ed25519 signature of the raw JSON body. */
export function signHighLevelPayload(rawBody: Buffer | string, privateKeyPem: string): string {
  return crypto.sign(null, Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody), privateKeyPem).toString('base64');
}
