import { signMetaPayload } from './signature';
import type { WebhookDelivery } from './types';

/**
 * JSON as Meta puts it on the wire: every non-ASCII UTF-16 unit escaped as lowercase \uXXXX (A.4). The signature
 * covers these escaped bytes, so a receiver that re-serialises the parsed JSON will fail to verify.
 */
export function serializeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload).replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const DELIVERY_TIMEOUT_MS = 10_000;

/** Signs and POSTs webhooks to the configured URL, recording every attempt. */
export class WebhookDispatcher {
  readonly deliveries: Array<WebhookDelivery<unknown>> = [];
  url: string | undefined;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly appSecret: string,
    url: string | undefined,
  ) {
    this.url = url;
  }

  async deliver<Payload>(payload: Payload, options: { signature?: string } = {}): Promise<WebhookDelivery<Payload>> {
    const rawBody = serializeLikeMeta(payload);
    const delivery: WebhookDelivery<Payload> = {
      url: this.url,
      payload,
      rawBody,
      signature: options.signature ?? signMetaPayload(rawBody, this.appSecret),
      statusCode: 0,
      at: Date.now(),
    };
    if (!delivery.url) {
      delivery.error = 'No webhook URL configured';
    } else {
      const abort = new AbortController();
      this.inFlight.add(abort);
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': delivery.signature,
            'user-agent': 'facebookexternalua',
          },
          body: rawBody,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        });
        delivery.statusCode = response.status;
        await response.arrayBuffer(); // drain so the connection can be reused
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      } finally {
        this.inFlight.delete(abort);
      }
    }
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Cancels deliveries still waiting for the receiver (used on stop). */
  abortAll(): void {
    for (const abort of this.inFlight) abort.abort();
  }
}
