import type { ReceiptEvent } from '../whatsappPort';

interface MetaStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  biz_opaque_callback_data?: string;
  errors?: Array<{ code?: number; title?: string; message?: string; error_data?: { details?: string } }>;
}

interface MetaChangeValue {
  metadata?: { phone_number_id?: string };
  statuses?: MetaStatus[];
  messages?: unknown[];
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

/** Every status in every change of every entry (Meta batches); unknown statuses such as `played` are skipped. */
export function parseMetaReceipts(payload: MetaWebhookPayload): ReceiptEvent[] {
  const receipts: ReceiptEvent[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages') continue;
      for (const status of change.value?.statuses ?? []) {
        if (!status.id || !status.status || !RECEIPT_STATUSES.has(status.status)) continue;
        const error = status.errors?.[0];
        receipts.push({
          kind: 'receipt',
          provider: 'meta',
          providerMessageId: status.id,
          status: status.status as ReceiptEvent['status'],
          occurredAt: toIso(status.timestamp),
          reference: status.biz_opaque_callback_data || undefined,
          businessNumberId: change.value?.metadata?.phone_number_id,
          ...(error ? { error: { code: error.code ?? -1, title: error.title ?? error.message, details: error.error_data?.details } } : {}),
        });
      }
    }
  }
  return receipts;
}
