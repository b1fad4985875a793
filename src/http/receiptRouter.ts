import { WorkflowNotFoundError } from '@temporalio/client';
import type { ReceiptEvent } from '../providers/messagingPort';
import { classifyReceiptFailure } from '../domain/providerErrors';
import { findByProviderMessageId } from '../store/ledger';
import { storeReceipt } from '../store/receipts';
import { locationOfDeliverWorkflowId, receiptSignal, workflowIdOfReference, type ReceiptSignal } from '../../workflows/shared';
import { sentByReceivingNumber } from './receiptTenancy';
import type { HttpContext } from './context';

const PARALLEL_SIGNALS = 8;

/** A receipt and the channel it reports on (Twilio's endpoint serves WhatsApp and SMS); WhatsApp when unsaid. */
export type RoutableReceipt = ReceiptEvent & { channel?: ReceiptSignal['channel'] };

/**
 * Each receipt is stored (deduplicated) and signalled to its message workflow, found through the reference
 * the provider echoed back, else through the ledger. A closed workflow or an unknown id is stored only.
 * Duplicates are signalled again on purpose: a redelivery after a 503 must still reach the workflow,
 * and the workflow's forward-only status makes a repeat harmless.
 */
export async function routeReceipts(ctx: HttpContext, receipts: RoutableReceipt[]): Promise<{ receipts: number; signalled: number; unmatched: number; refused: number }> {
  // One message's receipts reach its workflow in the order the provider listed them (one after another); different
  // messages are signalled in parallel.
  const byMessage = new Map<string, RoutableReceipt[]>();
  for (const receipt of receipts) {
    const key = receipt.reference ?? receipt.providerMessageId;
    byMessage.set(key, [...(byMessage.get(key) ?? []), receipt]);
  }
  const outcomes: Array<Awaited<ReturnType<typeof routeOne>>> = [];
  const groups = [...byMessage.values()];
  for (let start = 0; start < groups.length; start += PARALLEL_SIGNALS) {
    await Promise.all(
      groups.slice(start, start + PARALLEL_SIGNALS).map(async (group) => {
        for (const receipt of group) outcomes.push(await routeOne(ctx, receipt));
      }),
    );
  }
  const count = (wanted: (typeof outcomes)[number]) => outcomes.filter((outcome) => outcome === wanted).length;
  return { receipts: receipts.length, signalled: count('signalled'), unmatched: count('unmatched'), refused: count('refused') };
}

async function messageOf(ctx: HttpContext, receipt: RoutableReceipt): Promise<{ workflowId: string; locationId: string } | undefined> {
  // A replay's sends carry `<workflow id>#r<n>`: its receipts belong to the same message and workflow id.
  const referenced = workflowIdOfReference(receipt.reference);
  if (referenced) return { workflowId: referenced, locationId: locationOfDeliverWorkflowId(referenced) };
  const row = await findByProviderMessageId(ctx.db, receipt.providerMessageId);
  return row ? { workflowId: row.id, locationId: row.location_id } : undefined;
}

async function routeOne(ctx: HttpContext, receipt: RoutableReceipt): Promise<'signalled' | 'recorded' | 'closed' | 'unmatched' | 'refused'> {
  const message = await messageOf(ctx, receipt);
  // Another tenant's message: neither stored nor applied (stored, it would take the genuine receipt's place).
  if (message && !(await sentByReceivingNumber(ctx, receipt, message.locationId))) return 'refused';
  const workflowId = message?.workflowId;
  await storeReceipt(ctx.db, {
    provider: receipt.provider,
    providerMessageId: receipt.providerMessageId,
    status: receipt.status,
    messageId: workflowId ?? null,
    payload: { ...receipt },
    ...(receipt.pricing ? { pricing: receipt.pricing } : {}),
  });
  if (!workflowId) return 'unmatched';
  // `sent` changes nothing a workflow acts on: it is stored (the ledger's timeline and send reconciliation read it)
  // and not signalled, which saves a Temporal action per message.
  if (receipt.status === 'sent') return 'recorded';
  const signal: ReceiptSignal = {
    channel: receipt.channel ?? 'whatsapp',
    providerMessageId: receipt.providerMessageId,
    status: receipt.status,
    occurredAt: receipt.occurredAt,
    ...(receipt.status === 'failed' || receipt.error ? { error: classifyReceiptFailure(receipt.provider, receipt.error) } : {}),
  };
  try {
    await ctx.temporal.workflow.getHandle(workflowId).signal(receiptSignal, signal);
    return 'signalled';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'closed';
    throw error;
  }
}
