import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContentStore, StoredContent } from './contentStore';
import type { SimulatorState } from './state';
import { TwilioApiError, iso8601 } from './wireFormat';

/** Content API (content.twilio.com) on the simulator's origin: list, fetch, approvals. */
export function registerContentRoutes(app: FastifyInstance, state: SimulatorState, store: ContentStore): void {
  app.get('/v1/Content', async (request) => {
    const account = state.authenticate(request);
    return listPage(request, state, store, '/v1/Content', (content) => contentResource(state, content, account.accountSid));
  });

  app.get('/v1/ContentAndApprovals', async (request) => {
    const account = state.authenticate(request);
    return listPage(request, state, store, '/v1/ContentAndApprovals', (content) => {
      const { url: _url, links: _links, ...fields } = contentResource(state, content, account.accountSid);
      // Flat here (twilio-python test_content_and_approvals.py); nested under `whatsapp` only on ApprovalRequests.
      const { type: _type, ...approval } = whatsAppApproval(content);
      return { ...fields, approval_requests: approval };
    });
  });

  app.get<{ Params: { contentSid: string } }>('/v1/Content/:contentSid', async (request) => {
    const account = state.authenticate(request);
    return contentResource(state, contentOr404(store, request.params.contentSid), account.accountSid);
  });

  app.get<{ Params: { contentSid: string } }>('/v1/Content/:contentSid/ApprovalRequests', async (request) => {
    const account = state.authenticate(request);
    const content = contentOr404(store, request.params.contentSid);
    return {
      sid: content.sid,
      account_sid: account.accountSid,
      whatsapp: whatsAppApproval(content),
      url: `${state.baseUrl}/v1/Content/${content.sid}/ApprovalRequests`,
    };
  });
}

function contentOr404(store: ContentStore, sid: string): StoredContent {
  const content = store.get(sid);
  if (!content) throw new TwilioApiError(404, 20404, `The requested resource /v1/Content/${sid} was not found`);
  return content;
}

function contentResource(state: SimulatorState, content: StoredContent, accountSid: string) {
  const url = `${state.baseUrl}/v1/Content/${content.sid}`;
  return {
    sid: content.sid,
    account_sid: accountSid,
    friendly_name: content.friendlyName,
    language: content.language,
    variables: content.variables,
    types: content.types,
    url,
    date_created: iso8601(content.createdAt),
    date_updated: iso8601(content.updatedAt),
    links: { approval_create: `${url}/ApprovalRequests/whatsapp`, approval_fetch: `${url}/ApprovalRequests` },
  };
}

/** The `whatsapp` approval object of ApprovalRequests / ContentAndApprovals. */
function whatsAppApproval(content: StoredContent) {
  const approval = content.approval;
  return {
    type: 'whatsapp',
    name: approval ? (approval.name ?? content.friendlyName) : '',
    category: approval ? (approval.category ?? 'UTILITY') : '',
    content_type: approval ? (Object.keys(content.types)[0] ?? '') : '',
    status: approval?.status ?? 'unsubmitted',
    rejection_reason: approval?.status === 'rejected' ? (approval.rejectionReason ?? 'INVALID_FORMAT') : '',
    allow_category_change: approval?.allowCategoryChange ?? true,
  };
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** Twilio's paged list: `PageSize`, `Page` (client state) and an opaque `PageToken` that carries the position. */
function listPage<T>(request: FastifyRequest, state: SimulatorState, store: ContentStore, path: string, toResource: (content: StoredContent) => T) {
  const query = request.query as Record<string, string | undefined>;
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number.parseInt(query.PageSize ?? '', 10) || DEFAULT_PAGE_SIZE));
  const page = Math.max(0, Number.parseInt(query.Page ?? '', 10) || 0);
  const offset = query.PageToken !== undefined ? decodePageToken(query.PageToken) : page * pageSize;
  const all = store.list();
  const pageUrl = (pageIndex: number, start: number | undefined) =>
    `${state.baseUrl}${path}?PageSize=${pageSize}&Page=${pageIndex}${start === undefined ? '' : `&PageToken=${encodePageToken(start)}`}`;

  return {
    contents: all.slice(offset, offset + pageSize).map(toResource),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0, undefined),
      previous_page_url: page > 0 && offset > 0 ? pageUrl(page - 1, Math.max(0, offset - pageSize)) : null,
      url: pageUrl(page, query.PageToken !== undefined ? offset : undefined),
      next_page_url: offset + pageSize < all.length ? pageUrl(page + 1, offset + pageSize) : null,
      key: 'contents',
    },
  };
}

function encodePageToken(offset: number): string {
  return `PT${offset.toString(16).padStart(8, '0')}`;
}

function decodePageToken(token: string): number {
  const match = /^PT([0-9a-f]{8})$/.exec(token);
  if (!match?.[1]) throw new TwilioApiError(400, 20001, `Invalid PageToken: ${token}`);
  return Number.parseInt(match[1], 16);
}
