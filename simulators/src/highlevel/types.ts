/** Public types of the HighLevel (LeadConnector) API simulator. Field names follow HighLevel's v2 OpenAPI files. */

/** `Version` header values the v2 spec lists per API family. */
export const CONVERSATIONS_API_VERSION = '2021-04-15';
export const CONTACTS_API_VERSION = '2021-07-28';
export const OAUTH_API_VERSION = '2021-07-28';
/**
 * The Version values HighLevel's own SDK (GoHighLevel/highlevel-api-sdk, lib/HighLevel.ts `apiVersion` default)
 * sends on every request whatever the endpoint: 2021-07-28 up to 2.3.0, 2023-02-21 from 3.0.0. Its calls work, so
 * every endpoint accepts them besides the one value its spec lists.
 */
export const SDK_API_VERSIONS: readonly string[] = ['2021-07-28', '2023-02-21'];

export interface HighLevelSimulatorOptions {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** Credentials /oauth/token accepts. Defaults 'sim-client-id' / 'sim-client-secret'. */
  clientId?: string;
  clientSecret?: string;
  /** PUT status answers 403 for this long after the outbound message was posted (issue #4). Default 3000. */
  statusDownstreamDelayMs?: number;
  /** Per location (or company) of the access token. Default { max: 100, intervalMs: 10_000, daily: 200_000 }; false disables. */
  rateLimit?: RateLimitOptions | false;
  /** Key pair the simulator's own Delivery-URL caller (/_sim/outbound) signs with; generated when absent. */
  webhookKeyPair?: { privateKeyPem: string; publicKeyPem: string };
}

export interface RateLimitOptions {
  max: number;
  intervalMs: number;
  daily?: number;
}

export type DndChannel = 'Call' | 'Email' | 'SMS' | 'WhatsApp' | 'GMB' | 'FB';

/** DndSettingSchema. */
export interface DndSetting {
  status: 'active' | 'inactive' | 'permanent';
  message?: string;
  code?: string;
}

export type DndSettings = Partial<Record<DndChannel, DndSetting>>;

/** InboundDndSettingsSchema. */
export interface InboundDndSettings {
  all?: { status: 'active' | 'inactive'; message?: string };
}

/** A contact as the simulator stores it (a subset of GetContectByIdSchema). */
export interface SimContact {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  /** Normalised to E.164 when it parses as a phone number. */
  phone?: string;
  email?: string;
  tags: string[];
  dnd: boolean;
  dndSettings: DndSettings;
  inboundDndSettings?: InboundDndSettings;
  source?: string;
  /** Other UpdateContactDto/CreateContactDto fields (address1, city, timezone, customFields, ...), kept verbatim. */
  extra: Record<string, unknown>;
  /** ISO 8601. */
  dateAdded: string;
  dateUpdated: string;
}

/** ProcessMessageBodyDto.type enum (v2 spec). */
export const INBOUND_MESSAGE_TYPES = [
  'SMS', 'RCS', 'Email', 'WhatsApp', 'GMB', 'IG', 'FB', 'Custom', 'WebChat', 'Live_Chat', 'Call',
  'IVR_Call', 'Campaign_Call', 'Campaign_VoiceMail', 'TIKTOK', 'ALL_IN_ONE_CHAT', 'FORM_SUBMISSION',
] as const;
export type InboundMessageType = (typeof INBOUND_MESSAGE_TYPES)[number];

/** An accepted POST /conversations/messages/inbound: the body as sent plus what the simulator assigned. */
export interface SimInboundMessage {
  type: InboundMessageType;
  message?: string;
  attachments?: string[];
  altId?: string;
  direction?: unknown;
  date?: string;
  conversationProviderId?: string;
  /** Every other field of the request body, verbatim. */
  [field: string]: unknown;
  contactId: string;
  conversationId: string;
  messageId: string;
  locationId: string;
  /** Epoch milliseconds when accepted. */
  at: number;
}

/** UpdateMessageStatusDto.status enum: there is no `sent`. */
export const MESSAGE_STATUSES = ['delivered', 'failed', 'pending', 'read'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** ErrorDto: all three fields required. */
export interface MessageStatusError {
  code: string;
  type: string;
  message: string;
}

export interface SimStatusUpdate {
  messageId: string;
  status: MessageStatus;
  error?: MessageStatusError;
  /** Epoch milliseconds when accepted. */
  at: number;
}

export interface SimUpload {
  url: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  locationId: string;
}

/** The Delivery URL payload ("Conversation Provider – Outbound Message"). */
export interface ProviderOutboundMessage {
  contactId: string;
  locationId: string;
  messageId: string;
  /** 'SMS' for the default-SMS replacement; 'Custom' and 'Email' also occur. */
  type: string;
  phone?: string;
  message?: string;
  attachments?: string[];
  userId?: string;
  emailMessageId?: string;
  /** The schema says string, the Email example sends an array. */
  emailTo?: string | string[];
  emailFrom?: string;
  html?: string;
  subject?: string;
  /** Not in the schema; custom providers may receive it. */
  replyToAltId?: string;
}

export interface LocationTokenGrant {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}
