import { FormData } from 'undici';
import { withChannelDnd, type DndChannel, type DndSettings } from '../../domain/highLevelDnd';
import { httpRequest, type HttpResponse } from '../http';

export type { DndChannel } from '../../domain/highLevelDnd';

/** HighLevel's per-endpoint Version headers (highlevel.md §0). */
export const VERSION_CONVERSATIONS = '2021-04-15';
export const VERSION_CONTACTS = '2021-07-28';

export class HighLevelApiError extends Error {
  override name = 'HighLevelApiError';
  constructor(
    readonly status: number,
    readonly responseText: string,
    /** From X-RateLimit-Interval-Milliseconds on a 429: when the burst window resets. */
    readonly retryAfterMs?: number,
  ) {
    super(`HighLevel answered ${status}: ${responseText.slice(0, 300)}`);
  }
}

export type AccessTokenSource = (locationId: string, options?: { forceRefresh?: boolean }) => Promise<string>;

export interface HighLevelContact {
  id: string;
  phone?: string | null;
  dnd?: boolean;
  dndSettings?: DndSettings;
  tags?: string[];
}

export type HighLevelMessageStatus = 'delivered' | 'read' | 'failed' | 'pending';

export interface NewHighLevelContact {
  phone?: string;
  name?: string;
  source?: string;
  tags?: string[];
}

/** ProcessMessageBodyDto as this provider uses it (highlevel.md §3): type SMS, the contact, and the wamid as altId. */
export interface InboundMessageBody {
  type: 'SMS';
  contactId: string;
  message: string;
  attachments: string[];
  altId: string;
  date: string;
}

export class HighLevelClient {
  constructor(private readonly baseUrl: string, private readonly accessToken: AccessTokenSource) {}

  async updateMessageStatus(
    locationId: string,
    messageId: string,
    status: HighLevelMessageStatus,
    error?: { code: string; type: string; message: string },
  ): Promise<void> {
    await this.call(locationId, 'PUT', `/conversations/messages/${encodeURIComponent(messageId)}/status`, VERSION_CONVERSATIONS, {
      status,
      ...(error ? { error } : {}),
    });
  }

  async getContact(locationId: string, contactId: string): Promise<HighLevelContact | null> {
    try {
      const response = await this.call(locationId, 'GET', `/contacts/${encodeURIComponent(contactId)}`, VERSION_CONTACTS);
      return (response.body as { contact?: HighLevelContact }).contact ?? null;
    } catch (error) {
      if (error instanceof HighLevelApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** GET /contacts/search/duplicate (param `number`, E.164): the location's contact with this phone, if any. */
  async findContactByPhone(locationId: string, phoneE164: string): Promise<HighLevelContact | null> {
    const query = new URLSearchParams({ locationId, number: phoneE164 });
    const response = await this.call(locationId, 'GET', `/contacts/search/duplicate?${query.toString()}`, VERSION_CONTACTS);
    return (response.body as { contact?: HighLevelContact | null } | undefined)?.contact ?? null;
  }

  /** POST /contacts/upsert: matched by the location's duplicate rules (email, then phone), created otherwise. */
  async upsertContact(locationId: string, contact: NewHighLevelContact): Promise<{ contact: HighLevelContact; created: boolean }> {
    const response = await this.call(locationId, 'POST', '/contacts/upsert', VERSION_CONTACTS, { locationId, ...contact });
    const body = response.body as { new?: boolean; contact?: HighLevelContact };
    if (!body?.contact?.id) throw new HighLevelApiError(response.status, `upsert answered without a contact: ${response.text}`);
    return { contact: body.contact, created: body.new === true };
  }

  /** POST /contacts/: for WhatsApp users known only by a user id (no phone to match on). */
  async createContact(locationId: string, contact: NewHighLevelContact): Promise<HighLevelContact> {
    const response = await this.call(locationId, 'POST', '/contacts/', VERSION_CONTACTS, { locationId, ...contact });
    const created = (response.body as { contact?: HighLevelContact })?.contact;
    if (!created?.id) throw new HighLevelApiError(response.status, `create answered without a contact: ${response.text}`);
    return created;
  }

  /** POST /conversations/messages/inbound: threads a message the contact sent into their conversation. */
  async addInboundMessage(locationId: string, message: InboundMessageBody): Promise<{ messageId: string; conversationId: string }> {
    const response = await this.call(locationId, 'POST', '/conversations/messages/inbound', VERSION_CONVERSATIONS, { direction: 'inbound', ...message });
    const body = response.body as { messageId?: string; conversationId?: string } | undefined;
    if (!body?.messageId) throw new HighLevelApiError(response.status, `inbound message answered without a messageId: ${response.text.slice(0, 200)}`);
    return { messageId: body.messageId, conversationId: body.conversationId ?? '' };
  }

  /**
   * The contact's conversation id: GET /conversations/search (locationId, contactId), else POST /conversations/
   * for a contact who has none yet (a first message that is a photo).
   */
  async conversationIdFor(locationId: string, contactId: string): Promise<string> {
    const query = new URLSearchParams({ locationId, contactId });
    const found = await this.call(locationId, 'GET', `/conversations/search?${query.toString()}`, VERSION_CONVERSATIONS);
    const existing = (found.body as { conversations?: Array<{ id?: string; contactId?: string }> } | undefined)?.conversations?.find((item) => item.id && (!item.contactId || item.contactId === contactId));
    if (existing?.id) return existing.id;
    const created = await this.call(locationId, 'POST', '/conversations/', VERSION_CONVERSATIONS, { locationId, contactId });
    const id = (created.body as { conversation?: { id?: string } } | undefined)?.conversation?.id;
    if (!id) throw new HighLevelApiError(created.status, `conversation create answered without an id: ${created.text.slice(0, 200)}`);
    return id;
  }

  /**
   * POST /conversations/messages/upload (multipart): UploadFilesDto's conversationId, contactId and locationId, the
   * file in `fileAttachment` (the operation's description); returns the hosted file's URL.
   */
  async uploadAttachment(locationId: string, file: { conversationId: string; contactId: string; filename: string; contentType: string; bytes: Buffer }): Promise<string> {
    const response = await this.callWithForm(locationId, '/conversations/messages/upload', () => {
      const form = new FormData();
      form.append('conversationId', file.conversationId);
      form.append('contactId', file.contactId);
      form.append('locationId', locationId);
      form.append('fileAttachment', new Blob([file.bytes], { type: file.contentType }), file.filename);
      return form;
    });
    const uploaded = (response.body as { uploadedFiles?: Record<string, string> })?.uploadedFiles ?? {};
    const url = uploaded[file.filename] ?? Object.values(uploaded)[0];
    if (!url) throw new HighLevelApiError(response.status, `upload answered without a file URL: ${response.text.slice(0, 200)}`);
    return url;
  }

  async addContactTags(locationId: string, contactId: string, tags: string[]): Promise<void> {
    await this.call(locationId, 'POST', `/contacts/${encodeURIComponent(contactId)}/tags`, VERSION_CONTACTS, { tags });
  }

  async removeContactTags(locationId: string, contactId: string, tags: string[]): Promise<void> {
    await this.call(locationId, 'DELETE', `/contacts/${encodeURIComponent(contactId)}/tags`, VERSION_CONTACTS, { tags });
  }

  /**
   * One channel's DND, written as the whole `dndSettings` map read just before: HighLevel's update replaces the map
   * it is sent, so a WhatsApp STOP must carry the SMS DND along (and the reverse). A `permanent` DND stays.
   */
  async setChannelDnd(locationId: string, contactId: string, channel: DndChannel, setting: { status: 'active' | 'inactive'; message?: string; code?: string }): Promise<void> {
    const contact = await this.getContact(locationId, contactId);
    if (!contact) throw new HighLevelApiError(404, `contact ${contactId} not found`);
    const current = contact.dndSettings ?? {};
    const next = withChannelDnd(current, channel, setting);
    if (JSON.stringify(next[channel]) === JSON.stringify(current[channel])) return; // already so (a retry, or permanent)
    await this.call(locationId, 'PUT', `/contacts/${encodeURIComponent(contactId)}`, VERSION_CONTACTS, { dndSettings: next });
  }

  private call(locationId: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, version: string, body?: unknown): Promise<HttpResponse> {
    return this.authorized(locationId, (authorization) =>
      httpRequest(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization, version, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  }

  /** Multipart requests (the form is rebuilt for the retry after a token refresh: a sent body is consumed). */
  private callWithForm(locationId: string, path: string, buildForm: () => FormData): Promise<HttpResponse> {
    return this.authorized(locationId, (authorization) =>
      httpRequest(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization, version: VERSION_CONVERSATIONS, accept: 'application/json' },
        body: buildForm(),
        timeoutMs: 60_000,
      }),
    );
  }

  /** The one way every call is authorized: a 401 means the stored token went stale, so refresh once and repeat. */
  private async authorized(locationId: string, request: (authorization: string) => Promise<HttpResponse>): Promise<HttpResponse> {
    const attempt = async (forceRefresh: boolean) => request(`Bearer ${await this.accessToken(locationId, { forceRefresh })}`);
    let response = await attempt(false);
    if (response.status === 401) response = await attempt(true);
    if (response.status >= 200 && response.status < 300) return response;
    const interval = Number(response.headers['x-ratelimit-interval-milliseconds']);
    throw new HighLevelApiError(response.status, response.text, response.status === 429 && interval > 0 ? interval : undefined);
  }
}
