/** Public types of the Twilio Programmable Messaging simulator. */

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
}

export interface TwilioSimulatorOptions {
  accounts?: TwilioAccount[];
  /** Gap between automatic status callbacks (and before the first one). Default 30 ms. */
  callbackDelayMs?: number;
  /** WhatsApp only: follow `delivered` with `read`. Default false. */
  autoRead?: boolean;
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
}

export type MessageChannel = 'whatsapp' | 'sms';

/** Twilio's outbound message lifecycle (subset of `message_enum_status` that the simulator reaches). */
export type MessageStatus = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'undelivered' | 'failed';

/** Statuses a scripted callback step may report. */
export type CallbackStepStatus = 'sent' | 'delivered' | 'read' | 'undelivered' | 'failed';

/** Statuses `emitStatusCallback` may report (adds the early ones Twilio reports for some flows). */
export type StatusCallbackStatus = CallbackStepStatus | 'queued' | 'sending';

export interface CallbackStep {
  status: CallbackStepStatus;
  errorCode?: number;
  /** Wait before this step; defaults to the simulator's callbackDelayMs. */
  delayMs?: number;
  /** Deliver this callback twice (Twilio may retry, so receivers must dedupe). */
  duplicate?: boolean;
}

export interface SimulatedMessage {
  sid: string;
  accountSid: string;
  /** As given to the API, including any `whatsapp:` prefix. */
  to: string;
  /** As given; absent when only a MessagingServiceSid was given. */
  from?: string;
  messagingServiceSid?: string;
  /** The text sent; for ContentSid sends, the rendered template body. */
  body?: string;
  mediaUrls: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  channel: MessageChannel;
  status: MessageStatus;
  errorCode?: number;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last status change. */
  updatedAt: number;
  /** Epoch milliseconds when it reached `sent` (Twilio's date_sent). */
  sentAt?: number;
  /** Twilio's `price` once final (delivered, read, undelivered, failed): a negative decimal string such as "-0.00790". */
  price?: string;
}

export interface CallbackDelivery {
  kind: 'status' | 'inbound';
  messageSid: string;
  url: string;
  params: Record<string, string>;
  /** The X-Twilio-Signature header sent. */
  signature: string;
  /** Receiver's HTTP status; 0 when the request failed before a response. */
  statusCode: number;
  responseContentType?: string;
  responseBody?: string;
  /** Epoch milliseconds when the request was sent. */
  at: number;
  error?: string;
}

export interface InboundMedia {
  contentType: string;
  bytes: Buffer;
}

export interface InboundMessageInput {
  /** Defaults to the first registered account. */
  accountSid?: string;
  /** E.164 of the end user. */
  from: string;
  /** E.164 of the business sender. */
  to: string;
  channel?: MessageChannel;
  body?: string;
  profileName?: string;
  /** Defaults to the digits of `from`. */
  waId?: string;
  media?: InboundMedia[];
  buttonText?: string;
  buttonPayload?: string;
  messageType?: string;
  /** Sent instead of the real signature, to exercise receivers' rejection path. */
  signatureOverride?: string;
}

export type ContentApprovalStatus = 'approved' | 'pending' | 'rejected' | 'paused' | 'disabled';

export interface ContentApproval {
  status: ContentApprovalStatus;
  /** WhatsApp template category, e.g. UTILITY, MARKETING, AUTHENTICATION. */
  category?: string;
  /** WhatsApp template name; defaults to the friendly name. */
  name?: string;
  /** What WhatsApp said about a rejection; default INVALID_FORMAT. */
  rejectionReason?: string;
  /** Whether Meta may change the category; default true. */
  allowCategoryChange?: boolean;
}

export interface ContentInput {
  sid?: string;
  friendlyName: string;
  language: string;
  variables?: Record<string, string>;
  /** Content types keyed by type name, e.g. `{ 'twilio/text': { body: 'Hi {{1}}' } }`. */
  types: Record<string, unknown>;
  /** Omitted = never submitted for WhatsApp approval. */
  approval?: ContentApproval;
}

/** A synchronous REST failure to return from the next Messages create calls. */
export interface CreateFailure {
  httpStatus: number;
  code: number;
  message?: string;
}
