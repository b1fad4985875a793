import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { LedgerChannel } from '../domain/deliveryStatus';
import type { LocationSettings } from '../domain/locationSettings';

/** Insert is optional: every timestamp column has a database default or is always set. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

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
  /** The last account-level error Meta reported for the business number (webhook `value.errors`), with its time. */
  whatsapp_account_error: ColumnType<WhatsAppAccountError | null, string | null | undefined, string | null>;
  /** Marketplace install (OAuth callback or INSTALL webhook) and UNINSTALL; uninstalled locations are unknown to the Delivery URL. */
  installed_at: NullableTimestamp;
  uninstalled_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WhatsAppAccountError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
  href?: string;
  at: string;
}


export interface HighLevelTokensTable {
  location_id: string;
  company_id: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Timestamp;
  updated_at: Timestamp;
}

/** The message ledger: one row per HighLevel message. */
export interface MessagesTable {
  id: string;
  location_id: string;
  contact_id: string;
  highlevel_message_id: string;
  phone_e164: string | null;
  channel: ColumnType<LedgerChannel, LedgerChannel | undefined, LedgerChannel>;
  provider: string | null;
  provider_message_id: string | null;
  status: string;
  status_reason: string | null;
  error_code: string | null;
  /** What the text takes as SMS (src/domain/smsSegments.ts), counted when the row is opened. */
  sms_segments: ColumnType<number | null, number | null | undefined, number | null>;
  sms_encoding: ColumnType<string | null, string | null | undefined, string | null>;
  /** Meta's `pricing` and `conversation` from the first status carrying them (src/store/receipts.ts). */
  pricing_category: ColumnType<string | null, string | null | undefined, string | null>;
  pricing_billable: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  pricing_type: ColumnType<string | null, string | null | undefined, string | null>;
  pricing_model: ColumnType<string | null, string | null | undefined, string | null>;
  conversation_id: ColumnType<string | null, string | null | undefined, string | null>;
  conversation_origin: ColumnType<string | null, string | null | undefined, string | null>;
  /** Twilio's final price of the fallback SMS (positive, numeric as text), its unit and segments (src/store/costs.ts). */
  sms_price: ColumnType<string | null, string | null | undefined, string | null>;
  sms_price_unit: ColumnType<string | null, string | null | undefined, string | null>;
  sms_billed_segments: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A location's prices (src/domain/costs.ts RateCard) from a day on. */
export interface LocationRatesTable {
  location_id: string;
  /** YYYY-MM-DD (date columns are read as strings, see src/store/costs.ts). */
  effective_from: ColumnType<string, string, string>;
  currency: string;
  whatsapp: Json<Record<string, Record<string, number>>>;
  sms: Json<Record<string, number>>;
  updated_at: Timestamp;
}

export interface MessageEventsTable {
  id: Generated<string>;
  message_id: string;
  type: string;
  detail: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
  /** The workflow step that wrote it (`<run id>/report:<n>`), so a step run again adds its events once. */
  step: string | null;
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

/** One row per inbound WhatsApp message (no text kept): dedupe beyond Temporal's retention and its outcome. */
export interface InboundMessagesTable {
  provider: string;
  provider_message_id: string;
  location_id: string;
  phone_e164: string | null;
  from_user_id: string | null;
  type: string;
  occurred_at: Timestamp;
  status: 'received' | 'delivered' | 'failed';
  status_reason: string | null;
  keyword_action: string | null;
  contact_id: string | null;
  highlevel_message_id: string | null;
  confirmation_message_id: string | null;
  detail: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The HighLevel contact of a WhatsApp sender per location; sender_key is E.164 or `user:<business-scoped id>`. */
export interface ContactLinksTable {
  location_id: string;
  sender_key: string;
  contact_id: string;
  phone_e164: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A WhatsApp id Meta answered for a number we sent to (contacts[].input → wa_id) when the two differ, per location. */
export interface WhatsAppIdsTable {
  wa_id: string;
  location_id: string;
  phone_e164: string;
  learned_at: Generated<Timestamp>;
}

/** The WhatsApp template registry (src/store/templates.ts): one row per template name and language, synced from the WABA. */
export interface WhatsAppTemplatesTable {
  location_id: string;
  waba_id: string;
  meta_id: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Json<unknown[]>;
  body: string;
  header: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  footer: string | null;
  buttons: Json<Array<Record<string, unknown>>>;
  status_changed_at: Timestamp;
  first_synced_at: Timestamp;
  last_synced_at: Timestamp;
}

/** Every template status change a sync observed (approved → paused → …), append-only. */
export interface WhatsAppTemplateStatusChangesTable {
  id: Generated<string>;
  location_id: string;
  name: string;
  language: string;
  from_status: string | null;
  to_status: string;
  source: ColumnType<string, string | undefined, string>;
  changed_at: Timestamp;
}

/** Explicit text → template rules per location (src/domain/templateRules.ts). */
export interface TemplateRulesTable {
  id: string;
  location_id: string;
  label: string | null;
  priority: number;
  enabled: boolean;
  pattern_kind: 'regex' | 'prefix';
  pattern: string;
  pattern_flags: string;
  template_name: string;
  template_language: string | null;
  parameters: Json<Record<string, unknown>>;
  when_window_open: 'free_text' | 'template';
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Per-location template preferences and the last sync's outcome. */
export interface TemplateSettingsTable {
  location_id: string;
  language: string | null;
  last_synced_at: Date | null;
  last_sync_error: string | null;
  last_sync_error_at: Date | null;
  updated_at: Timestamp;
}

/** HighLevel app webhooks (INSTALL/UNINSTALL) already handled, by webhookId: redeliveries change nothing. */
export interface HighLevelAppWebhooksTable {
  webhook_id: string;
  type: string;
  location_id: string | null;
  company_id: string | null;
  received_at: Timestamp;
}

/** A replay of failed deliveries, or a release of held ones after a resume (src/replay). */
export interface ReplaysTable {
  id: string;
  kind: 'replay' | 'release';
  location_id: string | null;
  filter: Json<Record<string, unknown>>;
  requested_by: string;
  note: string | null;
  created_at: Timestamp;
}

/** One message of a replay: pending → claimed → started (a new run) | skipped | error; detail says why. */
export interface ReplayItemsTable {
  id: Generated<string>;
  replay_id: string;
  message_id: string;
  state: 'pending' | 'claimed' | 'started' | 'skipped' | 'error';
  detail: Json<Record<string, unknown>>;
  run_id: string | null;
  claimed_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface Database {
  replays: ReplaysTable;
  replay_items: ReplayItemsTable;
  locations: LocationsTable;
  highlevel_tokens: HighLevelTokensTable;
  messages: MessagesTable;
  location_rates: LocationRatesTable;
  message_events: MessageEventsTable;
  provider_receipts: ProviderReceiptsTable;
  consent_events: ConsentEventsTable;
  conversation_windows: ConversationWindowsTable;
  inbound_messages: InboundMessagesTable;
  contact_links: ContactLinksTable;
  whatsapp_ids: WhatsAppIdsTable;
  whatsapp_templates: WhatsAppTemplatesTable;
  whatsapp_template_status_changes: WhatsAppTemplateStatusChangesTable;
  template_rules: TemplateRulesTable;
  template_settings: TemplateSettingsTable;
  highlevel_app_webhooks: HighLevelAppWebhooksTable;
}

export type LocationRow = Selectable<LocationsTable>;
export type HighLevelTokenRow = Selectable<HighLevelTokensTable>;
export type NewLocation = Insertable<LocationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type MessageEventRow = Selectable<MessageEventsTable>;
