import type { FastifyInstance } from 'fastify';
import { messageResource } from './messagesApi';
import type { SimulatorState } from './state';
import type { SimulatedMessage } from './types';
import { TwilioApiError } from './wireFormat';

type AccountParams = { Params: { accountSid: string } };

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** Filters echoed in the page URIs, in the order Twilio's generated SDKs send them. */
const FILTERS = ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const;

/**
 * Messages list (GET …/Messages.json): the account's messages, newest first ("sorted by the DateSent field, with
 * the most recent messages appearing first"; messages not sent yet, with no date_sent, come before all others),
 * filtered by exact `To` / `From` and by `DateSent` (that day), `DateSent<` (on or before), `DateSent>` (on or
 * after), compared by GMT day as Twilio does (a time of day is ignored). A DateSent filter never lists a message
 * that has no date_sent yet. Paged by `PageSize` (default 50, at most 1000), `Page` (client state) and the opaque
 * `PageToken` from the page URIs, which anchors on a message so sends in between do not shift the pages. Only
 * API-created (outbound-api) messages are kept by the simulator, so only those are listed.
 */
export function registerMessageListRoute(app: FastifyInstance, state: SimulatorState): void {
  app.get<AccountParams>('/2010-04-01/Accounts/:accountSid/Messages.json', async (request) => {
    const account = state.authenticate(request, request.params.accountSid);
    const query = request.query as Record<string, string | string[] | undefined>;
    const param = (name: string): string | undefined => {
      const value = query[name];
      return Array.isArray(value) ? value[0] : value;
    };

    const pageSize = parsePageSize(param('PageSize'));
    const pageNumber = Math.max(0, Number.parseInt(param('Page') ?? '', 10) || 0);
    // Reversed first: the sort is stable, so equal times keep the later-created message first.
    const matches = filterMessages(state.messages, account.accountSid, param).reverse().sort(newestFirst);
    const token = param('PageToken');
    const { offset, items } = slicePage(matches, pageSize, pageNumber, token);

    const path = `/2010-04-01/Accounts/${account.accountSid}/Messages.json`;
    const filters = new URLSearchParams();
    for (const name of FILTERS) {
      const value = param(name);
      if (value !== undefined) filters.append(name, value);
    }
    const pageUri = (page: number, pageToken?: string) => {
      const search = new URLSearchParams(filters);
      search.append('PageSize', String(pageSize));
      search.append('Page', String(page));
      if (pageToken !== undefined) search.append('PageToken', pageToken);
      return `${path}?${search.toString()}`;
    };
    const first = items[0];
    const last = items.at(-1);
    const start = pageNumber * pageSize;
    return {
      end: items.length > 0 ? start + items.length - 1 : start,
      first_page_uri: pageUri(0),
      messages: items.map(messageResource),
      next_page_uri: last && offset + items.length < matches.length ? pageUri(pageNumber + 1, `PA${last.sid}`) : null,
      page: pageNumber,
      page_size: pageSize,
      previous_page_uri: first && offset > 0 ? pageUri(Math.max(0, pageNumber - 1), `PB${first.sid}`) : null,
      start,
      uri: pageUri(pageNumber, token),
    };
  });
}

function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1) throw new TwilioApiError(400, 20001, `Invalid PageSize: ${raw}`);
  return Math.min(MAX_PAGE_SIZE, size);
}

/** A GMT day `YYYY-MM-DD` from Twilio's accepted date forms (a leading date, or anything Date.parse reads). */
function dayOf(raw: string): string {
  const leading = /^(\d{4}-\d{2}-\d{2})/.exec(raw.trim());
  if (leading?.[1]) return leading[1];
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw new TwilioApiError(400, 20001, 'Invalid date value.');
  return new Date(parsed).toISOString().slice(0, 10);
}

function filterMessages(messages: readonly SimulatedMessage[], accountSid: string, param: (name: string) => string | undefined): SimulatedMessage[] {
  const to = param('To');
  const from = param('From');
  const onDay = param('DateSent');
  const onOrBefore = param('DateSent<');
  const onOrAfter = param('DateSent>');
  const day = { on: onDay && dayOf(onDay), before: onOrBefore && dayOf(onOrBefore), after: onOrAfter && dayOf(onOrAfter) };
  const dated = day.on !== undefined || day.before !== undefined || day.after !== undefined;
  return messages.filter((message) => {
    if (message.accountSid !== accountSid) return false;
    if (to !== undefined && message.to !== to) return false;
    if (from !== undefined && message.from !== from) return false;
    if (!dated) return true;
    if (message.sentAt === undefined) return false;
    const sentDay = new Date(message.sentAt).toISOString().slice(0, 10);
    if (day.on !== undefined && sentDay !== day.on) return false;
    if (day.before !== undefined && sentDay > day.before) return false;
    if (day.after !== undefined && sentDay < day.after) return false;
    return true;
  });
}

/** Messages not sent yet first (newest created first), then date_sent descending. */
function newestFirst(a: SimulatedMessage, b: SimulatedMessage): number {
  if (a.sentAt === undefined || b.sentAt === undefined) {
    if (a.sentAt !== b.sentAt) return a.sentAt === undefined ? -1 : 1;
    return b.createdAt - a.createdAt;
  }
  return b.sentAt - a.sentAt;
}

/** `PA<sid>`: the page after that message; `PB<sid>`: the page before it; no token: by page number. */
function slicePage(matches: SimulatedMessage[], pageSize: number, pageNumber: number, token: string | undefined): { offset: number; items: SimulatedMessage[] } {
  if (token === undefined || token === '') {
    const offset = pageNumber * pageSize;
    return { offset, items: matches.slice(offset, offset + pageSize) };
  }
  const anchor = /^P([AB])((?:SM|MM)[0-9a-f]{32})$/.exec(token);
  if (!anchor?.[1] || !anchor[2]) throw new TwilioApiError(400, 20001, `Invalid PageToken: ${token}`);
  const index = matches.findIndex((message) => message.sid === anchor[2]);
  if (index < 0) return { offset: matches.length, items: [] };
  if (anchor[1] === 'A') return { offset: index + 1, items: matches.slice(index + 1, index + 1 + pageSize) };
  const offset = Math.max(0, index - pageSize);
  return { offset, items: matches.slice(offset, index) };
}
