import { DeliveryRun, type DeliveryOutcome } from './delivery/run';
import { deliverMessageV3 } from './legacy/deliverMessageV3';
import type { DeliverMessageInput } from './shared';

export type { DeliveryOutcome } from './delivery/run';

/**
 * One HighLevel SMS → WhatsApp (a template outside the window), SMS when WhatsApp cannot deliver, statuses pushed
 * back to HighLevel. A delivery that fails ends as a failed workflow whose message is the human reason.
 */
export async function deliverMessage(input: DeliverMessageInput): Promise<DeliveryOutcome> {
  if ((input.version ?? 0) < 4) return deliverMessageV3(input);
  const run = new DeliveryRun(input);
  if (!(await run.plan())) return { status: 'duplicate', channel: 'none', reason: 'this HighLevel message was already handled' };
  await run.send();
  await run.awaitReceipts();
  return run.settle();
}
