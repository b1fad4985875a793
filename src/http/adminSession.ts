import crypto from 'node:crypto';
import { constantTimeEqual } from '../security/secretBox';

/**
 * Browser sessions for holders of ADMIN_TOKEN (the Temporal UI's codec, the operator console): the cookie value is
 * `<expires>.<mac>`, the MAC keyed by the admin token over the purpose and the expiry, so nothing is stored and
 * rotating ADMIN_TOKEN ends every session.
 */
export function sessionValue(adminToken: string, purpose: string, seconds: number): string {
  const expires = Math.floor(Date.now() / 1000) + seconds;
  return `${expires}.${sessionMac(adminToken, purpose, expires)}`;
}

/** Undefined when the cookie value is a live session of this purpose; else the reason. */
export function sessionProblem(value: string | undefined, adminToken: string, purpose: string): string | undefined {
  if (!value) return 'no session';
  const [expiresText, mac] = value.split('.');
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || !mac || !constantTimeEqual(mac, sessionMac(adminToken, purpose, expires))) return 'invalid session';
  if (expires * 1000 < Date.now()) return 'session expired';
  return undefined;
}

function sessionMac(adminToken: string, purpose: string, expires: number): string {
  return crypto.createHmac('sha256', adminToken).update(`${purpose}-session:${expires}`).digest('base64url');
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
