/**
 * The failure vocabulary shared by workflows and activities: ApplicationFailure types, the codes a failed
 * delivery carries, and what a failed delivery tells HighLevel. Pure (bundled into the workflow sandbox).
 */

/** ApplicationFailure types. Retry policies name the non-retryable ones; workflows match on them. */
export const FAILURE = {
  /** The location is not configured (or was uninstalled): nothing can be done for its messages. */
  unknownLocation: 'UnknownLocation',
  /** No HighLevel token for the location: its API cannot be called. */
  missingHighLevelToken: 'MissingHighLevelToken',
  /** HighLevel refused a call for good (4xx other than 401/403/408/429). */
  highLevelRejected: 'HighLevelRejected',
  /** HighLevel was busy or down (retried, honouring its retry-after). */
  highLevelUnavailable: 'HighLevelUnavailable',
  /** A provider refused a send for a reason that may pass (rate limit, 5xx): retried. */
  whatsAppSendRetryable: 'WhatsAppSendRetryable',
  smsSendRetryable: 'SmsSendRetryable',
  /** A provider refused a send for good (legacy workflow versions read the details from these). */
  whatsAppSendRejected: 'WhatsAppSendRejected',
  smsSendRejected: 'SmsSendRejected',
  /** A remembered HighLevel contact HighLevel no longer knows: the inbound workflow resolves the sender again. */
  highLevelContactGone: 'HighLevelContactGone',
  /** A template sync the provider refused for good (bad token, unknown WABA, no back end). */
  templateSyncRejected: 'TemplateSyncRejected',
  /** What a delivery workflow fails with: the message is the human reason, details[0] the DeliveryFailure. */
  deliveryFailed: 'DeliveryFailed',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Never worth retrying, whichever activity raised them. */
export const NON_RETRYABLE: FailureType[] = [FAILURE.unknownLocation, FAILURE.missingHighLevelToken, FAILURE.highLevelRejected];

/** Why a delivery failed: `code` is the provider's error code or one of ours (invalid_phone, no_template_match …). */
export interface DeliveryFailure {
  code: string;
  reason: string;
  /** Which channel the error belongs to, as HighLevel's status error `type` (saas: decided by us, before any send). */
  channel: 'whatsapp' | 'sms' | 'saas';
}

/** The `error` HighLevel's status API takes with `failed`. */
export function highLevelError(failure: DeliveryFailure): { code: string; type: string; message: string } {
  return { code: failure.code, type: failure.channel, message: failure.reason };
}
