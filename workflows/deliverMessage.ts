import { deliverMessageV3, type DeliveryOutcome } from './legacy/deliverMessageV3';
import type { DeliverMessageInput } from './shared';

export type { DeliveryOutcome } from './legacy/deliverMessageV3';

/** One HighLevel SMS → WhatsApp (template outside the window), SMS when WhatsApp cannot deliver, statuses pushed back. */
export async function deliverMessage(input: DeliverMessageInput): Promise<DeliveryOutcome> {
  return deliverMessageV3(input);
}
