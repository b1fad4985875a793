import { titleForCode } from './graphErrors';
import { phoneDigits, unixSeconds } from './ids';
import type {
  MessageStatus,
  MetaAccount,
  StatusError,
  WebhookChangeValue,
  WebhookContact,
  WebhookEntry,
  WebhookInboundMessage,
  WebhookPayload,
  WebhookStatus,
} from './types';

/** Status objects and the `whatsapp_business_account` envelope, shaped like the A.3 examples. */

export type PricingCategory = 'service' | 'utility' | 'marketing' | 'authentication';

/** What a status webhook needs to know about the outbound message it reports on. */
export interface OutboundMessageInfo {
  wamid: string;
  account: MetaAccount;
  recipientId: string;
  bizOpaqueCallbackData?: string;
  pricingCategory: PricingCategory;
  /** Sent inside the user's customer service window (A.6): service and utility messages are then free. */
  insideServiceWindow?: boolean;
  conversationId: string;
}

/**
 * Meta's per-message pricing (A.3, A.6): non-template messages are `service`, and they and utility templates are free
 * inside a customer service window (`free_customer_service`); marketing and authentication templates are billed.
 * Free text outside a window is refused by Meta (131047), so it is priced as inside one here.
 */
export function pricingTypeOf(message: Pick<OutboundMessageInfo, 'pricingCategory' | 'insideServiceWindow'>): 'regular' | 'free_customer_service' {
  if (message.pricingCategory === 'service') return 'free_customer_service';
  return message.pricingCategory === 'utility' && message.insideServiceWindow ? 'free_customer_service' : 'regular';
}

const ERROR_CODES_HREF = '/documentation/business-messaging/whatsapp/support/error-codes';
const CONVERSATION_LIFETIME_SECONDS = 24 * 3600;

/** From v24.0 on Meta omits `conversation` from status webhooks (A.0, A.3). */
function includesConversation(apiVersion: string): boolean {
  const major = Number.parseInt(/^v(\d+)/.exec(apiVersion)?.[1] ?? '0', 10);
  return major < 24;
}

export function buildStatusError(error: StatusError): NonNullable<WebhookStatus['errors']>[number] {
  const title = error.title ?? titleForCode(error.code);
  return {
    code: error.code,
    title,
    message: error.message ?? title,
    error_data: { details: error.details ?? title },
    href: ERROR_CODES_HREF,
  };
}

export function buildStatus(
  message: OutboundMessageInfo,
  status: MessageStatus,
  options: { apiVersion: string; error?: StatusError; timestamp?: number },
): WebhookStatus {
  const timestamp = options.timestamp === undefined ? unixSeconds() : String(Math.floor(options.timestamp));
  const result: WebhookStatus = { id: message.wamid, status, timestamp, recipient_id: message.recipientId };
  if (message.bizOpaqueCallbackData !== undefined) result.biz_opaque_callback_data = message.bizOpaqueCallbackData;
  // Meta attaches billing info to 'sent' and one of the later successful statuses; here that is 'delivered'.
  if (status === 'sent' || status === 'delivered') {
    const type = pricingTypeOf(message);
    if (includesConversation(options.apiVersion)) {
      result.conversation = {
        id: message.conversationId,
        ...(status === 'sent' ? { expiration_timestamp: String(Number(timestamp) + CONVERSATION_LIFETIME_SECONDS) } : {}),
        origin: { type: message.pricingCategory },
      };
    }
    result.pricing = {
      billable: type === 'regular',
      pricing_model: 'PMP',
      type,
      category: message.pricingCategory,
    };
  }
  if (status === 'failed') result.errors = [buildStatusError(options.error ?? { code: 131026 })];
  return result;
}

/** One status or one inbound message, tagged with the business number it belongs to. */
export interface WebhookItem {
  account: MetaAccount;
  status?: WebhookStatus;
  message?: WebhookInboundMessage;
  contact?: WebhookContact;
}

function buildChangeValue(account: MetaAccount, items: WebhookItem[]): WebhookChangeValue {
  const contacts: WebhookContact[] = [];
  const seenContacts = new Set<string>();
  for (const item of items) {
    const key = item.contact ? `${item.contact.wa_id ?? ''}|${item.contact.user_id ?? ''}` : undefined;
    if (item.contact && key !== undefined && !seenContacts.has(key)) {
      seenContacts.add(key);
      contacts.push(item.contact);
    }
  }
  const messages = items.flatMap((item) => (item.message ? [item.message] : []));
  const statuses = items.flatMap((item) => (item.status ? [item.status] : []));
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: phoneDigits(account.displayPhoneNumber), phone_number_id: account.phoneNumberId },
    ...(contacts.length > 0 ? { contacts } : {}),
    ...(messages.length > 0 ? { messages } : {}),
    ...(statuses.length > 0 ? { statuses } : {}),
  };
}

/** Groups items by key, keeping first-seen order of keys and of items. */
function groupBy<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

function buildEntries(items: WebhookItem[]): WebhookEntry[] {
  return groupBy(items, (item) => item.account.wabaId).map((wabaItems) => ({
    id: wabaItems[0]!.account.wabaId,
    changes: groupBy(wabaItems, (item) => item.account.phoneNumberId).map((numberItems) => ({
      value: buildChangeValue(numberItems[0]!.account, numberItems),
      field: 'messages' as const,
    })),
  }));
}

/**
 * One webhook body: entry[] per WABA, changes[] per business number. `entryCount` > 1 splits the items into that
 * many consecutive slices first, the way Meta sometimes spreads one POST over several entry objects.
 */
export function buildEnvelope(items: WebhookItem[], entryCount = 1): WebhookPayload {
  const slices = Math.max(1, Math.min(Math.floor(entryCount), items.length || 1));
  const sliceSize = Math.ceil(items.length / slices);
  const entry: WebhookEntry[] = [];
  for (let start = 0; start < items.length; start += sliceSize) entry.push(...buildEntries(items.slice(start, start + sliceSize)));
  return { object: 'whatsapp_business_account', entry };
}
