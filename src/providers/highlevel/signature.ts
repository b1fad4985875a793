import crypto from 'node:crypto';

/** Verifies HighLevel's X-GHL-Signature: base64 Ed25519 over the raw JSON body. "N/A" means unsigned. */
export function verifyHighLevelSignature(rawBody: Buffer, signature: string | undefined, publicKeyPem: string): boolean {
  if (!signature || signature === 'N/A') return false;
  try {
    return crypto.verify(null, rawBody, publicKeyPem, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
