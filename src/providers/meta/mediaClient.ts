import { request } from 'undici';
import { mediaDownloadProblem } from '../../domain/mediaDownload';
import { httpRequest } from '../http';
import type { FetchedMedia, InboundMediaRef, InboundMessaging } from '../messagingPort';
import type { CloudApiCredentials } from './cloudApiClient';
import { readLimited } from '../mediaDownload';

const DOWNLOAD_TIMEOUT_MS = 60_000;

/** Meta's media URLs answer an error page to clients without a User-Agent (docs/contracts.md, Meta). */
export const MEDIA_USER_AGENT = 'ghl-whatsapp-provider/1.0';

/** Thrown for answers worth retrying (rate limits, 5xx); permanent refusals become `unavailable`. */
export class MediaFetchError extends Error {
  override name = 'MediaFetchError';
}

interface MediaMetadata {
  url?: string;
  mime_type?: string;
  file_size?: number | string;
}

/**
 * The inbound side of the Cloud API for one business number: media id → short-lived URL → bytes (both
 * steps need the location's token, whatsapp.md A.3), and read marks for incoming messages (A.1).
 */
export class CloudApiInboundClient implements InboundMessaging {
  readonly provider = 'meta' as const;

  constructor(private readonly graphBaseUrl: string, private readonly credentials: CloudApiCredentials) {}

  async fetchMedia(ref: InboundMediaRef, options: { maxBytes: number }): Promise<FetchedMedia> {
    if (!ref.id) return { ok: false, reason: 'unavailable', ...(ref.mimeType ? { mimeType: ref.mimeType } : {}) };
    const lookup = await httpRequest(`${this.graphBaseUrl}/${encodeURIComponent(ref.id)}`, { method: 'GET', headers: this.headers() });
    if (lookup.status !== 200) return this.refusal(lookup.status, `media lookup answered ${lookup.status}`, ref.mimeType);
    const metadata = lookup.body as MediaMetadata;
    const mimeType = metadata.mime_type ?? ref.mimeType ?? 'application/octet-stream';
    const declaredSize = Number(metadata.file_size);
    if (Number.isFinite(declaredSize) && declaredSize > options.maxBytes) return { ok: false, reason: 'too_large', sizeBytes: declaredSize, mimeType };
    if (!metadata.url) return { ok: false, reason: 'unavailable', mimeType };
    return this.download(metadata.url, mimeType, Number.isFinite(declaredSize) && declaredSize >= 0 ? declaredSize : undefined, options.maxBytes);
  }

  async markRead(providerMessageId: string): Promise<void> {
    const response = await httpRequest(`${this.graphBaseUrl}/${encodeURIComponent(this.credentials.phoneNumberId)}/messages`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: providerMessageId }),
    });
    if (response.status !== 200) throw new MediaFetchError(`mark as read answered ${response.status}: ${response.text.slice(0, 200)}`);
  }

  /**
   * Streams the file and stops as soon as it grows past the limit, so a huge video never sits in memory. What came
   * back must be the media object (type and size): anything else is retried, with a fresh URL from a new lookup.
   */
  private async download(url: string, mimeType: string, declaredSize: number | undefined, maxBytes: number): Promise<FetchedMedia> {
    const response = await request(url, { method: 'GET', headers: this.headers(), headersTimeout: DOWNLOAD_TIMEOUT_MS, bodyTimeout: DOWNLOAD_TIMEOUT_MS });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return this.refusal(response.statusCode, `media download answered ${response.statusCode}`, mimeType);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const wrongType = mediaDownloadProblem({ mimeType }, { contentType, sizeBytes: 0 });
    if (wrongType) {
      await response.body.dump();
      throw new MediaFetchError(wrongType);
    }
    const read = await readLimited(response.body, Number(response.headers['content-length']), mimeType, maxBytes);
    if (!read.ok) return read;
    const { bytes } = read;
    const problem = mediaDownloadProblem({ mimeType, ...(declaredSize !== undefined ? { sizeBytes: declaredSize } : {}) }, { contentType, sizeBytes: bytes.length });
    if (problem) throw new MediaFetchError(problem);
    return { ok: true, bytes, mimeType };
  }

  private refusal(status: number, message: string, mimeType: string | undefined): FetchedMedia {
    if (status === 429 || status >= 500 || status === 401) throw new MediaFetchError(message);
    return { ok: false, reason: 'unavailable', ...(mimeType ? { mimeType } : {}) };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.credentials.accessToken}`, 'user-agent': MEDIA_USER_AGENT };
  }
}
