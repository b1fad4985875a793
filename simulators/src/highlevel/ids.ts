import crypto from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** HighLevel ids look like `GKBhT6BfwY9mjzXAU3sq`: 20 random alphanumerics. */
export function newHighLevelId(length = 20): string {
  const bytes = crypto.randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}
