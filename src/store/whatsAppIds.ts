import { sql } from 'kysely';
import type { Db } from '../db/database';
import { canonicalWhatsAppNumber, whatsAppIdAsNumber } from '../domain/phone';
import type { InboundEvent, MessageSender } from '../providers/messagingPort';

/** Remembers the number a WhatsApp id stands for, as a send response told it; only ids that differ are kept. */
export async function rememberWhatsAppId(db: Db, locationId: string, waId: string, input: string): Promise<void> {
  const phone = whatsAppIdAsNumber(input);
  const id = waId.replace(/\D/g, '');
  if (!phone || !id || phone === `+${id}`) return;
  await db
    .insertInto('whatsapp_ids')
    .values({ location_id: locationId, wa_id: id, phone_e164: phone })
    .onConflict((conflict) => conflict.columns(['location_id', 'wa_id']).doUpdateSet({ phone_e164: sql`excluded.phone_e164`, learned_at: sql`now()` }))
    .execute();
}

/**
 * The canonical number of an inbound sender: the number a send to them revealed for their WhatsApp id, else
 * their id or number under the domain rule (canonicalWhatsAppNumber). Null for a sender known only by a user id.
 */
export async function canonicalSender(db: Db, locationId: string, event: Pick<InboundEvent, 'from' | 'waId'>): Promise<string | null> {
  const raw = event.from ?? (event.waId ? whatsAppIdAsNumber(event.waId) : null);
  if (!raw) return null;
  const id = (event.waId ?? raw).replace(/\D/g, '');
  const learned = await db
    .selectFrom('whatsapp_ids')
    .select('phone_e164')
    .where('location_id', '=', locationId)
    .where('wa_id', '=', id)
    .executeTakeFirst();
  return canonicalWhatsAppNumber(learned?.phone_e164 ?? raw);
}

/**
 * A Cloud API sender that remembers the wa_id Meta answers for each number. The send has happened by then:
 * a failed write only loses the shortcut (the domain rule still applies), so it never fails the send.
 */
export function rememberingWhatsAppIds(sender: MessageSender, db: Db, locationId: string): MessageSender {
  const remembering: MessageSender = {
    provider: sender.provider,
    async send(to, part, reference) {
      const sent = await sender.send(to, part, reference);
      if (sent.recipient) {
        await rememberWhatsAppId(db, locationId, sent.recipient.waId, sent.recipient.input).catch((error: unknown) =>
          process.emitWarning(`a WhatsApp id learned from a send was not stored: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
      return sent;
    },
  };
  if (sender.findSent) remembering.findSent = sender.findSent.bind(sender);
  return remembering;
}
