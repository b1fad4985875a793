import { signTwilioRequest } from './signature';
import type { SimulatorState } from './state';
import type { CallbackDelivery } from './types';

/** Twilio's default read timeout for webhooks (connection overrides, B.2). */
const WEBHOOK_TIMEOUT_MS = 15_000;

export interface WebhookRequest {
  kind: CallbackDelivery['kind'];
  messageSid: string;
  url: string;
  params: Record<string, string>;
  authToken: string;
  signatureOverride?: string;
}

/**
 * POSTs a form-encoded webhook signed the way Twilio signs it (HMAC-SHA1 over the exact URL + sorted params)
 * and records what the receiver answered. Never throws: network failures are recorded with statusCode 0.
 */
export async function sendSignedWebhook(state: SimulatorState, request: WebhookRequest): Promise<CallbackDelivery> {
  const signature = request.signatureOverride ?? signTwilioRequest(request.authToken, request.url, request.params);
  const at = Date.now();
  const delivery: CallbackDelivery = { kind: request.kind, messageSid: request.messageSid, url: request.url, params: request.params, signature, statusCode: 0, at };
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'user-agent': 'TwilioProxy/1.1',
        accept: '*/*',
      },
      body: new URLSearchParams(request.params).toString(),
      signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), state.shutdown.signal]),
    });
    delivery.statusCode = response.status;
    delivery.responseContentType = response.headers.get('content-type') ?? undefined;
    delivery.responseBody = await response.text();
  } catch (error) {
    delivery.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  state.callbackDeliveries.push(delivery);
  return delivery;
}
