import { httpRequest } from '../http';
import type { TwilioListAccess } from './messageLookup';

/** What a Message resource says about its cost: `price` is null until final, then a negative decimal string. */
export interface TwilioMessagePrice {
  /** Positive (Twilio writes charges as negative amounts); null while not final. */
  amount: number | null;
  unit: string | null;
  segments: number | null;
}

/** `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`: the message's price, unit and segments. */
export async function fetchTwilioMessagePrice(access: TwilioListAccess, sid: string, timeoutMs?: number): Promise<TwilioMessagePrice> {
  const base = access.apiBaseUrl.replace(/\/+$/, '');
  const response = await httpRequest(`${base}/2010-04-01/Accounts/${encodeURIComponent(access.accountSid)}/Messages/${encodeURIComponent(sid)}.json`, {
    method: 'GET',
    headers: { authorization: access.authorization, accept: 'application/json' },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (response.status !== 200 || typeof response.body !== 'object' || response.body === null) {
    throw new Error(`Twilio answered ${response.status} for message ${sid}`);
  }
  const body = response.body as { price?: unknown; price_unit?: unknown; num_segments?: unknown };
  const price = typeof body.price === 'string' && body.price.trim() !== '' ? Math.abs(Number(body.price)) : null;
  const segments = Number(body.num_segments);
  return {
    amount: price !== null && Number.isFinite(price) ? price : null,
    unit: typeof body.price_unit === 'string' ? body.price_unit : null,
    segments: Number.isInteger(segments) && segments > 0 ? segments : null,
  };
}
