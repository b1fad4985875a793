import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Insert is optional: every timestamp column has a database default or is always set. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** One HighLevel sub-account that installed the app, with its WhatsApp/SMS back ends. Secrets are encrypted. */
export interface LocationsTable {
  id: string;
  company_id: string | null;
  name: string | null;
  whatsapp_backend: 'cloud' | 'twilio';
  whatsapp_phone_number_id: string | null;
  whatsapp_waba_id: string | null;
  whatsapp_access_token_enc: string | null;
  twilio_account_sid: string | null;
  twilio_auth_token_enc: string | null;
  twilio_whatsapp_from: string | null;
  twilio_sms_from: string | null;
  twilio_messaging_service_sid: string | null;
  /** sha256 of the secret `token` query parameter accepted on the Delivery URL instead of X-GHL-Signature. */
  delivery_token_hash: string | null;
  settings: Json<LocationSettings>;
  sender_paused_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Per-location policy; every field optional, defaults in src/domain/locationSettings.ts. */
export interface LocationSettings {
  receiptTimeoutSeconds?: number;
  lateReceiptWindowSeconds?: number;
  defaultCountry?: string;
  treatUnknownConsentAsOptedIn?: boolean;
  markInboundAsRead?: boolean;
}

export interface HighLevelTokensTable {
  location_id: string;
  company_id: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Timestamp;
  updated_at: Timestamp;
}

export type Channel = 'whatsapp' | 'sms' | 'both' | 'none';

/** The message ledger: one row per HighLevel message. */
export interface MessagesTable {
  id: string;
  location_id: string;
  contact_id: string;
  highlevel_message_id: string;
  phone_e164: string | null;
  channel: ColumnType<Channel, Channel | undefined, Channel>;
  provider: string | null;
  provider_message_id: string | null;
  status: string;
  status_reason: string | null;
  error_code: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessageEventsTable {
  id: Generated<string>;
  message_id: string;
  type: string;
  detail: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
}

/** Every receipt a provider sent us, matched or not; (provider, id, status) dedupes redeliveries. */
export interface ProviderReceiptsTable {
  id: Generated<string>;
  provider: string;
  provider_message_id: string;
  status: string;
  message_id: string | null;
  payload: Json<Record<string, unknown>>;
  received_at: Timestamp;
}

/** Append-only consent history per (location, phone). */
export interface ConsentEventsTable {
  id: Generated<string>;
  location_id: string;
  phone_e164: string;
  status: 'unknown' | 'opted_in' | 'opted_out';
  source: string;
  evidence: string | null;
  recorded_at: Timestamp;
}

/** Last inbound per (location, phone): the 24-hour customer-service window. */
export interface ConversationWindowsTable {
  location_id: string;
  phone_e164: string;
  last_inbound_at: Timestamp;
}

export interface Database {
  locations: LocationsTable;
  highlevel_tokens: HighLevelTokensTable;
  messages: MessagesTable;
  message_events: MessageEventsTable;
  provider_receipts: ProviderReceiptsTable;
  consent_events: ConsentEventsTable;
  conversation_windows: ConversationWindowsTable;
}

export type LocationRow = Selectable<LocationsTable>;
export type NewLocation = Insertable<LocationsTable>;
export type LocationUpdate = Updateable<LocationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type MessageEventRow = Selectable<MessageEventsTable>;
