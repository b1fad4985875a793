import crypto from 'node:crypto';

/** Phone numbers as Meta reports them: digits only ('+1 (650) 555-1234' → '16505551234'). */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

/**
 * A wamid in Meta's style: 'wamid.' + base64 of a small binary record holding the user's number and a random
 * hex id. Real wamids contain '+', '/' and '=' too, so clients must not assume URL-safe ids.
 */
export function newWamid(userDigits: string, direction: 'outbound' | 'inbound'): string {
  const phone = Buffer.from(userDigits || '0', 'ascii');
  const marker = direction === 'outbound' ? [0x15, 0x02, 0x00, 0x11, 0x18, 0x12] : [0x15, 0x02, 0x00, 0x12, 0x18, 0x14];
  const randomHex = crypto.randomBytes(direction === 'outbound' ? 9 : 10).toString('hex').toUpperCase();
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, phone.length & 0xff]),
    phone,
    Buffer.from(marker),
    Buffer.from(randomHex, 'ascii'),
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** Numeric Graph object id (media, templates), e.g. '1003383421387256'. */
export function newGraphId(): string {
  return `1${crypto.randomInt(100_000_000, 999_999_999)}${crypto.randomInt(100_000, 999_999)}`;
}

/** fbtrace_id as it appears in Graph errors, e.g. 'Az8or2yhqkZfEZ-_4Qn_Bam'. */
export function newFbTraceId(): string {
  return crypto.randomBytes(17).toString('base64url').slice(0, 23);
}

export function unixSeconds(at: number = Date.now()): string {
  return String(Math.floor(at / 1000));
}

/** Characters as Meta counts them (code points, not UTF-16 units). */
export function characterCount(text: string): number {
  return Array.from(text).length;
}
