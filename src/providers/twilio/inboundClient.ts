import { request } from 'undici';
import type { FetchedMedia, InboundMediaRef, InboundMessaging } from '../messagingPort';
import type { TwilioCredentials } from './messagingClient';
import { twilioAuthorization } from './basicAuth';
import { readLimited } from '../mediaDownload';

const DOWNLOAD_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 3;

/** Thrown for answers worth retrying (rate limits, 5xx, credentials); a missing file becomes `unavailable`. */
export class TwilioMediaError extends Error {
  override name = 'TwilioMediaError';
}

/**
 * The inbound side of Twilio for one account: MediaUrlN is fetched with the account's Basic auth, and Twilio
 * answers with a redirect to a short-lived CDN URL, which is fetched without credentials (another origin).
 * Twilio has no read marks for incoming messages, so markRead does nothing.
 */
export class TwilioInboundClient implements InboundMessaging {
  readonly provider = 'twilio' as const;

  constructor(private readonly credentials: TwilioCredentials) {}

  async fetchMedia(ref: InboundMediaRef, options: { maxBytes: number }): Promise<FetchedMedia> {
    if (!ref.url) return { ok: false, reason: 'unavailable', ...(ref.mimeType ? { mimeType: ref.mimeType } : {}) };
    let url = ref.url;
    let headers: Record<string, string> | undefined = { authorization: this.authorization() };
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const response = await request(url, { method: 'GET', headers, headersTimeout: DOWNLOAD_TIMEOUT_MS, bodyTimeout: DOWNLOAD_TIMEOUT_MS });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        await response.body.dump();
        const next = new URL(location, url);
        if (next.origin !== new URL(url).origin) headers = undefined;
        url = next.toString();
        continue;
      }
      const mimeType = String(response.headers['content-type'] ?? ref.mimeType ?? 'application/octet-stream');
      if (response.statusCode !== 200) {
        await response.body.dump();
        if (response.statusCode === 429 || response.statusCode === 401 || response.statusCode >= 500) {
          throw new TwilioMediaError(`Twilio media download answered ${response.statusCode}`);
        }
        return { ok: false, reason: 'unavailable', mimeType };
      }
      return readLimited(response.body, Number(response.headers['content-length']), mimeType, options.maxBytes);
    }
    return { ok: false, reason: 'unavailable', ...(ref.mimeType ? { mimeType: ref.mimeType } : {}) };
  }

  async markRead(_providerMessageId: string): Promise<void> {
    // Twilio's WhatsApp API exposes no read mark for incoming messages.
  }

  private authorization(): string {
    return twilioAuthorization(this.credentials);
  }
}
