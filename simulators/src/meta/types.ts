/** Public types of the Meta WhatsApp Cloud API simulator (shapes follow whatsapp.md section A). */

export interface MetaAccount {
  accessToken: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export interface MetaSimulatorOptions {
  /** Signs outgoing webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** Where webhooks are POSTed; can be set later with setWebhookUrl. */
  webhookUrl?: string;
  /** Graph API version prefix; default 'v23.0'. */
  apiVersion?: string;
  accounts?: MetaAccount[];
  /** Delay between automatic receipts; default 30 ms. */
  receiptDelayMs?: number;
  /** When true, automatic receipts go on to 'read'; default false (they stop at 'delivered'). */
  autoRead?: boolean;
  /**
   * Meta re-delivers a receipt webhook the receiver did not answer 200, "with decreasing frequency until the request
   * succeeds, for up to 7 days". Here: this many attempts, the wait doubling from `firstDelayMs` (default 8 from 250 ms).
   */
  webhookRetries?: { attempts: number; firstDelayMs: number };
  /** Default 0 (any free port). */
  port?: number;
  /**
   * Numbers (E.164 or digits) whose WhatsApp id differs from their digits, e.g. { '+5511987654321': '551187654321' }
   * for a Brazilian account without the ninth digit. Mexican `+52` mobiles answer as `521…` without being listed.
   */
  whatsAppIds?: Record<string, string>;
}

export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** Error attached to a 'failed' status webhook. */
export interface StatusError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
}

export interface ReceiptStep {
  status: MessageStatus;
  /** Wait before this step (after the previous one finished); default receiptDelayMs. */
  delayMs?: number;
  error?: StatusError;
  /** Deliver this status twice, as two separate webhooks. */
  duplicate?: boolean;
}

/** A synchronous Graph API failure injected with failNextSends. */
export interface SendFault {
  httpStatus: number;
  code: number;
  message?: string;
  details?: string;
  isTransient?: boolean;
}

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
export type TemplateParameterFormat = 'POSITIONAL' | 'NAMED';

export interface TemplateDefinition {
  name: string;
  language: string;
  status?: TemplateStatus;
  category?: TemplateCategory;
  parameter_format?: TemplateParameterFormat;
  /** Meta's template components, e.g. { type: 'BODY', text: 'Hi {{1}}' }. */
  components: unknown[];
  id?: string;
}

export interface MediaDefinition {
  bytes: Buffer;
  mimeType: string;
  id?: string;
}

/** One send the simulator accepted (HTTP 200). */
export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  /** `to` exactly as the client sent it. */
  to: string;
  /** The WhatsApp id `to` reaches, as Meta reports it in contacts[].wa_id and statuses[].recipient_id (may differ from `to`). */
  waId: string;
  type: string;
  payload: Record<string, unknown>;
  at: number;
}

/** A mark-as-read request ({ status: 'read', message_id }); answered with { success: true }, no receipts. */
export interface MarkedAsRead {
  phoneNumberId: string;
  messageId: string;
  typingIndicator?: unknown;
  at: number;
}

export interface WebhookDelivery<Payload = WebhookPayload> {
  url: string | undefined;
  payload: Payload;
  /** The exact body that was POSTed (non-ASCII escaped as \uXXXX, like Meta). */
  rawBody: string;
  signature: string;
  /** HTTP status of the receiver's answer; 0 when no answer (see error). */
  statusCode: number;
  at: number;
  error?: string;
}

export type InboundType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'button'
  | 'interactive'
  | 'reaction'
  | 'location'
  | 'contacts'
  | 'unsupported'
  | 'system';

export type InboundInteractive =
  | { type: 'button_reply'; button_reply: { id: string; title: string } }
  | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } };

export interface InboundLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface InboundSpec {
  /** Sender phone: digits like Meta ('16505551234') or E.164; sent as the WhatsApp id that number has (see whatsAppIds). */
  from?: string;
  /** Business-scoped user id (e.g. 'US.13491208655302741918'); without `from`, `from` is omitted like Meta does. */
  fromUserId?: string;
  profileName?: string;
  /** Receiving business number; default the first registered account. */
  phoneNumberId?: string;
  /** wamid; generated when absent. */
  id?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  type: InboundType;
  text?: string;
  caption?: string;
  /** Media id; when absent for a media type, placeholder media is stored so downloads work. */
  mediaId?: string;
  mimeType?: string;
  filename?: string;
  button?: { payload: string; text: string };
  interactive?: InboundInteractive;
  reaction?: { message_id: string; emoji: string };
  location?: InboundLocation;
  contacts?: unknown[];
  context?: { from: string; id: string };
  /** For type 'system'; defaults to a user_changed_number notice built from `text`. */
  system?: { body: string; wa_id?: string; type?: string };
}

export interface EmitStatusOptions {
  error?: StatusError;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Only needed for a wamid the simulator never sent; otherwise taken from the send. */
  recipientId?: string;
}

export type BatchItem =
  | ({ kind: 'status'; wamid: string; status: MessageStatus } & EmitStatusOptions)
  | ({ kind: 'inbound' } & InboundSpec);

// ---- webhook payload shapes (A.3) ----

export interface WebhookStatus {
  id: string;
  status: MessageStatus;
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  conversation?: { id: string; expiration_timestamp?: string; origin: { type: string } };
  pricing?: { billable: boolean; pricing_model: 'PMP'; type: string; category: string };
  errors?: Array<{ code: number; title: string; message: string; error_data: { details: string }; href: string }>;
}

export interface WebhookInboundMessage {
  context?: { from: string; id: string };
  from?: string;
  from_user_id?: string;
  id: string;
  timestamp: string;
  type: InboundType;
  [typeSpecific: string]: unknown;
}

export interface WebhookContact {
  profile: { name: string };
  wa_id?: string;
  user_id?: string;
}

export interface WebhookChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: WebhookContact[];
  messages?: WebhookInboundMessage[];
  statuses?: WebhookStatus[];
}

export interface WebhookEntry {
  id: string;
  changes: Array<{ value: WebhookChangeValue; field: 'messages' }>;
}

export interface WebhookPayload {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}
