import { findLocationRecent } from '../store/locations';
import type { ReceiptEvent } from '../providers/messagingPort';
import type { HttpContext } from './context';

/**
 * One Meta app receives the statuses of every business number it serves, so a status counts only for a message of
 * the location whose number it names (`metadata.phone_number_id`). Twilio callbacks are checked where the signature is.
 */
export async function sentByReceivingNumber(ctx: HttpContext, receipt: ReceiptEvent, locationId: string): Promise<boolean> {
  if (receipt.provider !== 'meta') return true;
  const location = await findLocationRecent(ctx.db, locationId);
  return location !== undefined && location.whatsapp_phone_number_id === receipt.businessNumberId;
}
