import crypto from 'node:crypto';

export type FormParams = Record<string, string | string[]>;

/** X-Twilio-Signature: base64 HMAC-SHA1 over the full URL followed by each POST param (sorted by name) as name+value. */
export function signTwilioRequest(authToken: string, url: string, params: FormParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value ?? ''];
    for (const item of values) data += name + item;
  }
  return crypto.createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Candidate URLs Twilio may have signed: as given, without the default port, and with it. */
function urlVariants(url: string): string[] {
  const variants = new Set([url]);
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
    if (parsed.port === defaultPort || parsed.port === '') {
      const withoutPort = new URL(url);
      withoutPort.port = '';
      variants.add(withoutPort.toString());
      variants.add(`${parsed.protocol}//${parsed.hostname}:${defaultPort}${parsed.pathname}${parsed.search}`);
    }
  } catch {
    // not a URL: only the literal form can match
  }
  return [...variants];
}

export function verifyTwilioSignature(authToken: string, header: string | undefined, url: string, params: FormParams = {}): boolean {
  if (!header) return false;
  const given = Buffer.from(header);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(signTwilioRequest(authToken, candidate, params));
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  });
}

/** Parses an application/x-www-form-urlencoded body, keeping repeated names as arrays. */
export function parseForm(raw: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else params[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}
