import { normalizePhone } from '../domain/phone';
import type { MetaWebhookPayload } from '../providers/meta/webhookParser';
import { recordInbound } from '../store/conversationWindows';
import { findLocationByPhoneNumberId } from '../store/locations';
import type { HttpContext } from './context';

/** Every inbound message opens (or renews) the contact's 24-hour customer-service window for its location. */
export async function recordInboundTimes(ctx: HttpContext, payload: MetaWebhookPayload): Promise<number> {
  let recorded = 0;
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const phoneNumberId = change.value?.metadata?.phone_number_id;
      const messages = (change.value?.messages ?? []) as Array<{ from?: string; timestamp?: string }>;
      if (!phoneNumberId || messages.length === 0) continue;
      const location = await findLocationByPhoneNumberId(ctx.db, phoneNumberId);
      if (!location) continue;
      for (const message of messages) {
        const phone = normalizePhone(message.from ? `+${message.from.replace(/^\+/, '')}` : undefined);
        if (!phone.ok) continue; // users known only by a business-scoped id have no window to key on
        const seconds = Number(message.timestamp);
        await recordInbound(ctx.db, location.id, phone.e164, Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date());
        recorded += 1;
      }
    }
  }
  return recorded;
}
