import crypto from 'node:crypto';

export type FormParams = Record<string, string | string[]>;

/** Twilio's published request validation: base64 HMAC-SHA1 (Auth Token) over the URL plus each POST param, sorted by name, as name+value. */
export function signTwilioRequest(authToken: string, url: string, params: FormParams = {}): string {
  const data = Object.keys(params)
    .sort()
    .flatMap((name) => {
      const value = params[name];
      const values = Array.isArray(value) ? [...new Set(value)].sort() : [value ?? ''];
      return values.map((item) => name + item);
    });
  return crypto.createHmac('sha1', authToken).update(url + data.join(''), 'utf8').digest('base64');
}

/** application/x-www-form-urlencoded as Twilio sends and receives it: a repeated name (MediaUrl) becomes an array. */
export function parseForm(raw: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const existing = params[name];
    params[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}
