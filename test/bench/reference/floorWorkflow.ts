/**
 * The benchmark's FLOOR workflow: what one durable message needs at the least. Start → one activity that sends
 * through the WhatsApp (Meta) simulator → wait for the delivered/read signals → one status push to HighLevel.
 * No database, no ledger, no search attributes, no timers. Bundled on its own by the floor worker.
 */
import { condition, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FloorActivities } from './floorActivities';

export interface FloorInput {
  messageId: string;
  phone: string;
  text: string;
}

export const floorReceipt = defineSignal<[string]>('receipt');

const { floorSend, floorPushStatus } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3, failed: 3 };

export async function floorDeliver(input: FloorInput): Promise<string> {
  let status = 'sent';
  setHandler(floorReceipt, (next) => {
    if ((RANK[next] ?? 0) > (RANK[status] ?? 0)) status = next;
  });
  await floorSend({ to: input.phone, text: input.text, reference: workflowInfo().workflowId });
  await condition(() => status === 'read' || status === 'failed');
  await floorPushStatus({ messageId: input.messageId, status });
  return status;
}
