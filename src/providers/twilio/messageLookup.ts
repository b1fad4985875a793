import { httpRequest } from '../http';

/**
 * Finding a message we already created, after a create whose answer never came back (timeout, reset, worker death).
 *
 * Twilio has no idempotency key on Messages create, and the Message resource does not return the StatusCallback
 * (so the `ref` we put on it cannot be searched). What can be searched is the Messages list,
 * `GET /2010-04-01/Accounts/{AccountSid}/Messages.json`, filtered by `To` and `From` (and `DateSent`, `DateSent<`,
 * `DateSent>`, which compare Twilio's `date_sent` by day), newest first, paged with `PageSize` and `next_page_uri`.
 * Candidates are then matched here on direction, sender, content and `date_created`.
 *
 * A match proves the first attempt; no match proves nothing (a just-created message may still be queued with no
 * `date_sent`, and the list is not guaranteed to show the newest messages at once), so callers keep waiting for the
 * status callbacks that carry our reference before they send again.
 */

/** The fields of a 2010-04-01 Message resource the lookup reads (as listed under `messages`). */
export interface TwilioMessageResource {
  sid: string;
  account_sid?: string;
  status: string;
  direction: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string | null;
  num_media: string;
  /** RFC 2822, e.g. `Thu, 30 Jul 2015 20:12:31 +0000`. */
  date_created: string;
  date_sent: string | null;
}

/** One page of the Messages list (2010-04-01 paging keys). */
export interface TwilioMessagePage {
  messages: TwilioMessageResource[];
  next_page_uri: string | null;
  page?: number;
  page_size?: number;
  uri?: string;
}

/** What a create put on the wire, to recognise it in the list. */
export interface SentTwilioMessage {
  /** Exactly as sent: `whatsapp:+E164` for WhatsApp, E.164 for SMS. */
  to: string;
  /** Exactly as sent; absent when a Messaging Service picked the sender. */
  from?: string;
  messagingServiceSid?: string;
  /**
   * `body`: the Body sent ('' for media without a caption) and the number of MediaUrl. `content_sid`: a Content
   * template, whose rendered body Twilio stores and we cannot predict, so only address and time are compared.
   */
  content: { kind: 'body'; body: string; mediaCount: number } | { kind: 'content_sid' };
}

export interface TwilioLookupOptions {
  /** When the first attempt started, taken before its request left. */
  attemptStartedAt: Date;
  /** Clock difference tolerated between us and Twilio (date_created has whole seconds). Default 60 s. */
  clockSkewMs?: number;
  /** Sids never to return: messages or parts already known to be someone else's. */
  excludeSids?: Iterable<string>;
  /** Default 100 (Twilio allows 1..1000). */
  pageSize?: number;
  /** Pages read at most, following next_page_uri. Default 3. */
  maxPages?: number;
  /**
   * Also send `DateSent>` = the UTC day of (attemptStartedAt - clockSkewMs). Off by default: DateSent compares
   * `date_sent`, which a message still queued does not have, and only by day, so it rarely narrows anything.
   */
  dateSentFilter?: boolean;
  /** Per request; default the shared client deadline. */
  timeoutMs?: number;
}

export interface TwilioMessageMatch {
  sid: string;
  status: string;
  dateCreated: Date;
  /** Other sids that matched too, newest first (already a duplicate, or a look-alike message): for logs and ledgers. */
  alsoMatched: string[];
}

/** A list request Twilio did not answer with a page. */
export class TwilioLookupError extends Error {
  override name = 'TwilioLookupError';
  constructor(
    readonly httpStatus: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_LOOKUP_CLOCK_SKEW_MS = 60_000;
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_MAX_PAGES = 3;

/** `YYYY-MM-DD` in GMT, the format Twilio documents for DateSent. */
export function twilioDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Query parameters of the first list page, in the order Twilio's generated SDKs send them. */
export function messageListQuery(sent: SentTwilioMessage, options: Pick<TwilioLookupOptions, 'attemptStartedAt' | 'clockSkewMs' | 'pageSize' | 'dateSentFilter'>): URLSearchParams {
  const query = new URLSearchParams();
  query.append('To', sent.to);
  if (sent.from !== undefined) query.append('From', sent.from);
  if (options.dateSentFilter) {
    const notBefore = new Date(options.attemptStartedAt.getTime() - (options.clockSkewMs ?? DEFAULT_LOOKUP_CLOCK_SKEW_MS));
    // The key is `DateSent>`; on the wire `DateSent%3E=2026-05-03`, which Twilio reads as "on or after that day".
    query.append('DateSent>', twilioDay(notBefore));
  }
  query.append('PageSize', String(Math.min(1000, Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE))));
  return query;
}

function normalizedBody(body: string | null | undefined): string {
  return (body ?? '').replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

/** RFC 2822 → epoch ms; NaN when unparseable. */
export function parseTwilioDate(value: string | null | undefined): number {
  return value ? Date.parse(value) : Number.NaN;
}

/**
 * Whether a listed message is the one `sent` describes, created no earlier than `notBeforeMs`: an API-created
 * outbound message, to the same address, from the same sender (or Messaging Service), with the same body and
 * number of media (not compared for Content templates).
 */
export function isSentMessage(resource: TwilioMessageResource, sent: SentTwilioMessage, notBeforeMs: number): boolean {
  if (resource.direction !== 'outbound-api') return false;
  if (resource.to !== sent.to) return false;
  if (sent.from !== undefined) {
    if (resource.from !== sent.from) return false;
  } else if (sent.messagingServiceSid !== undefined && resource.messaging_service_sid !== sent.messagingServiceSid) {
    return false;
  }
  const created = parseTwilioDate(resource.date_created);
  if (!(created >= notBeforeMs)) return false;
  if (sent.content.kind === 'content_sid') return true;
  return normalizedBody(resource.body) === normalizedBody(sent.content.body) && Number(resource.num_media) === sent.content.mediaCount;
}

/**
 * Of the listed messages, the one `sent` created: the earliest match not excluded (a first attempt precedes any
 * duplicate). Pure; `findSentTwilioMessage` feeds it every page it reads.
 */
export function pickSentMessage(
  listed: readonly TwilioMessageResource[],
  sent: SentTwilioMessage,
  options: Pick<TwilioLookupOptions, 'attemptStartedAt' | 'clockSkewMs' | 'excludeSids'>,
): TwilioMessageMatch | undefined {
  const notBefore = options.attemptStartedAt.getTime() - (options.clockSkewMs ?? DEFAULT_LOOKUP_CLOCK_SKEW_MS);
  const excluded = new Set(options.excludeSids ?? []);
  const seen = new Set<string>();
  const matches = listed
    .map((resource, position) => ({ resource, position }))
    .filter(({ resource }) => {
      if (seen.has(resource.sid) || excluded.has(resource.sid)) return false;
      seen.add(resource.sid);
      return isSentMessage(resource, sent, notBefore);
    });
  if (matches.length === 0) return undefined;
  // date_created has whole seconds; within one second the list order (newest first) says which came first.
  const byCreation = matches
    .sort((a, b) => parseTwilioDate(a.resource.date_created) - parseTwilioDate(b.resource.date_created) || b.position - a.position)
    .map(({ resource }) => resource);
  const first = byCreation[0]!;
  return {
    sid: first.sid,
    status: first.status,
    dateCreated: new Date(parseTwilioDate(first.date_created)),
    alsoMatched: byCreation.slice(1).reverse().map((resource) => resource.sid),
  };
}

export interface TwilioListAccess {
  /** https://api.twilio.com or the simulator; `next_page_uri` is resolved against it. */
  apiBaseUrl: string;
  accountSid: string;
  /** The `Authorization` header value (HTTP Basic AccountSid:AuthToken). */
  authorization: string;
}

/** One page of the Messages list. */
export async function fetchMessagePage(access: TwilioListAccess, url: string, timeoutMs?: number): Promise<TwilioMessagePage> {
  const response = await httpRequest(url, {
    method: 'GET',
    headers: { authorization: access.authorization, accept: 'application/json' },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  const page = response.body as Partial<TwilioMessagePage> & { code?: number; message?: string };
  if (response.status === 200 && page && Array.isArray(page.messages)) {
    return { ...page, messages: page.messages, next_page_uri: typeof page.next_page_uri === 'string' ? page.next_page_uri : null };
  }
  const code = typeof page === 'object' && page !== null && typeof page.code === 'number' ? page.code : undefined;
  const detail = typeof page === 'object' && page !== null && typeof page.message === 'string' ? page.message : response.text.slice(0, 200);
  throw new TwilioLookupError(response.status, code, `Twilio Messages list answered ${response.status}: ${detail}`);
}

/**
 * Reads the Messages list for `sent.to` (and `sent.from`), newest first, up to `maxPages` pages, and returns the
 * message that attempt created, or undefined when none is listed. Throws TwilioLookupError / network errors.
 */
export async function findSentTwilioMessage(access: TwilioListAccess, sent: SentTwilioMessage, options: TwilioLookupOptions): Promise<TwilioMessageMatch | undefined> {
  const base = access.apiBaseUrl.replace(/\/+$/, '');
  let url: string | undefined = `${base}/2010-04-01/Accounts/${encodeURIComponent(access.accountSid)}/Messages.json?${messageListQuery(sent, options).toString()}`;
  const listed: TwilioMessageResource[] = [];
  for (let pages = 0; url && pages < (options.maxPages ?? DEFAULT_MAX_PAGES); pages += 1) {
    const page = await fetchMessagePage(access, url, options.timeoutMs);
    listed.push(...page.messages);
    url = nextPageUrl(base, page.next_page_uri);
  }
  return pickSentMessage(listed, sent, options);
}

/** `next_page_uri` is relative to the API host; an absolute URL elsewhere is not followed (credentials ride along). */
function nextPageUrl(base: string, nextPageUri: string | null): string | undefined {
  if (!nextPageUri) return undefined;
  const resolved = new URL(nextPageUri, `${base}/`);
  return resolved.origin === new URL(base).origin ? resolved.toString() : undefined;
}
