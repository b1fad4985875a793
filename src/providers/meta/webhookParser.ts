import type { ReceiptEvent, ReceiptPricing } from '../messagingPort';

interface MetaStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  biz_opaque_callback_data?: string;
  errors?: Array<{ code?: number; title?: string; message?: string; error_data?: { details?: string } }>;
  pricing?: { billable?: boolean; pricing_model?: string; type?: string; category?: string };
  conversation?: { id?: string; origin?: { type?: string } };
}

interface MetaChangeValue {
  metadata?: { phone_number_id?: string };
  statuses?: MetaStatus[];
  messages?: unknown[];
  /** System- or app-level errors (parseMetaAccountErrors). */
  errors?: unknown[];
}

export interface MetaWebhookPayload {
  object?: string;
  entry?: Array<{ id?: string; changes?: Array<{ field?: string; value?: MetaChangeValue }> }>;
}

const RECEIPT_STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

function toIso(timestamp: string | undefined): string {
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
}

/** The status's `pricing` and (older versions) `conversation`, only the fields given; undefined when neither is there. */
function pricingOf(status: MetaStatus): ReceiptPricing | undefined {
  const { pricing, conversation } = status;
  if (!pricing && !conversation) return undefined;
  const facts: ReceiptPricing = {
    category: pricing?.category,
    billable: typeof pricing?.billable === 'boolean' ? pricing.billable : undefined,
    type: pricing?.type,
    model: pricing?.pricing_model,
    conversationId: conversation?.id,
    conversationOrigin: conversation?.origin?.type,
  };
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as ReceiptPricing;
}

/** Every status in every change of every entry (Meta batches); unknown statuses such as `played` are skipped. */
export function parseMetaReceipts(payload: MetaWebhookPayload): ReceiptEvent[] {
  const receipts: ReceiptEvent[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages') continue;
      for (const status of change.value?.statuses ?? []) {
        if (!status.id || !status.status || !RECEIPT_STATUSES.has(status.status)) continue;
        const error = status.errors?.[0];
        const pricing = pricingOf(status);
        receipts.push({
          kind: 'receipt',
          provider: 'meta',
          providerMessageId: status.id,
          status: status.status as ReceiptEvent['status'],
          occurredAt: toIso(status.timestamp),
          reference: status.biz_opaque_callback_data || undefined,
          businessNumberId: change.value?.metadata?.phone_number_id,
          ...(error ? { error: { code: error.code ?? -1, title: error.title ?? error.message, details: error.error_data?.details } } : {}),
          ...(pricing ? { pricing } : {}),
        });
      }
    }
  }
  return receipts;
}

/** A system- or app-level error Meta reports in `entry[].changes[].value.errors` (whatsapp.md A.2, async error webhook). */
export interface MetaAccountError {
  /** The WhatsApp Business Account (entry.id) and the business number it concerns, when named. */
  wabaId?: string;
  phoneNumberId?: string;
  code: number;
  title?: string;
  message?: string;
  details?: string;
  href?: string;
}

/** Every account-level error in a webhook; the per-message ones live in statuses[].errors and messages[].errors. */
export function parseMetaAccountErrors(payload: MetaWebhookPayload): MetaAccountError[] {
  const found: MetaAccountError[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const errors = change.value?.errors;
      if (!Array.isArray(errors)) continue;
      for (const error of errors as Array<{ code?: unknown; title?: unknown; message?: unknown; error_data?: { details?: unknown }; href?: unknown }>) {
        const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
        found.push({
          ...(text(entry.id) ? { wabaId: entry.id } : {}),
          ...(change.value?.metadata?.phone_number_id ? { phoneNumberId: change.value.metadata.phone_number_id } : {}),
          code: typeof error?.code === 'number' ? error.code : Number(error?.code) || -1,
          ...(text(error?.title) ? { title: text(error?.title) } : {}),
          ...(text(error?.message) ? { message: text(error?.message) } : {}),
          ...(text(error?.error_data?.details) ? { details: text(error?.error_data?.details) } : {}),
          ...(text(error?.href) ? { href: text(error?.href) } : {}),
        });
      }
    }
  }
  return found;
}
