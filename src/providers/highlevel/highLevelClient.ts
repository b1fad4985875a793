import { httpRequest, type HttpResponse } from '../http';

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
  dndSettings?: Partial<Record<'SMS' | 'WhatsApp' | 'Call' | 'Email' | 'GMB' | 'FB', { status?: string }>>;
  tags?: string[];
}

export type HighLevelMessageStatus = 'delivered' | 'read' | 'failed' | 'pending';

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

  /** A 401 means the stored token went stale: refresh once and repeat. */
  private async call(locationId: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, version: string, body?: unknown): Promise<HttpResponse> {
    let response = await this.send(locationId, method, path, version, body, false);
    if (response.status === 401) response = await this.send(locationId, method, path, version, body, true);
    if (response.status >= 200 && response.status < 300) return response;
    const interval = Number(response.headers['x-ratelimit-interval-milliseconds']);
    throw new HighLevelApiError(response.status, response.text, response.status === 429 && interval > 0 ? interval : undefined);
  }

  private async send(locationId: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, version: string, body: unknown, forceRefresh: boolean) {
    const token = await this.accessToken(locationId, { forceRefresh });
    return httpRequest(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        version,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
