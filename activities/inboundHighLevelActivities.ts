import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import type { Db } from '../src/db/database';
import { HighLevelApiError, type HighLevelContact } from '../src/providers/highlevel/highLevelClient';
import { findLinkedContact, forgetContact, linkContact, senderKeys } from '../src/store/contactLinks';
import { findInboundMessage, updateInboundMessage } from '../src/store/inboundMessages';
import type { ActivityDeps } from './deps';
import { highLevelFailure } from './highLevelFailures';
import { FAILURE } from '../src/domain/failures';


export function createInboundHighLevelActivities({ db, highLevel }: ActivityDeps) {
  return {
    /**
     * The sender's HighLevel contact: remembered per location, else found by E.164, else created with the
     * WhatsApp profile name. Users known only by a business-scoped id get a contact without a phone.
     */
    async resolveInboundContact(input: { locationId: string; phoneE164: string | null; fromUserId?: string; profileName?: string; channel?: 'sms' }): Promise<{ contactId: string; created: boolean }> {
      const keys = senderKeys(input.phoneE164, input.fromUserId);
      const remembered = await findLinkedContact(db, input.locationId, keys);
      if (remembered && (remembered.phoneE164 || !input.phoneE164)) return { contactId: remembered.contactId, created: false };
      // Two messages from a new sender arrive together: one creates the contact, the other waits and reuses it.
      return withSenderLock(db, `${input.locationId}:${keys[keys.length - 1] ?? ''}`, async (trx) => {
        const known = await findLinkedContact(trx, input.locationId, keys);
        if (known) {
          // A phone seen for the first time next to a known user id is remembered too.
          if (input.phoneE164 && !known.phoneE164) await linkContact(trx, input.locationId, keys, { contactId: known.contactId, phoneE164: input.phoneE164 });
          return { contactId: known.contactId, created: false };
        }
        const { contact, created } = await findOrCreateContact(highLevel, input);
        await linkContact(trx, input.locationId, keys, { contactId: contact.id, phoneE164: input.phoneE164 });
        return { contactId: contact.id, created };
      });
    },

    /** POST /conversations/messages/inbound once per WhatsApp message (the wamid rides as altId). */
    async postInboundToHighLevel(input: {
      locationId: string;
      provider: string;
      providerMessageId: string;
      contactId: string;
      message: string;
      attachments: string[];
      occurredAt: string;
    }): Promise<{ highLevelMessageId: string }> {
      const known = await findInboundMessage(db, input.provider, input.providerMessageId);
      if (known?.highLevelMessageId) return { highLevelMessageId: known.highLevelMessageId };
      try {
        const posted = await highLevel.addInboundMessage(input.locationId, {
          type: 'SMS',
          contactId: input.contactId,
          message: input.message,
          attachments: input.attachments,
          altId: input.providerMessageId,
          date: input.occurredAt,
        });
        await updateInboundMessage(db, input.provider, input.providerMessageId, { contactId: input.contactId, highLevelMessageId: posted.messageId });
        return { highLevelMessageId: posted.messageId };
      } catch (error) {
        if (error instanceof HighLevelApiError && (error.status === 400 || error.status === 404) && /contact/i.test(error.responseText)) {
          await forgetContact(db, input.locationId, input.contactId);
          throw ApplicationFailure.nonRetryable(`HighLevel no longer knows contact ${input.contactId}`, FAILURE.highLevelContactGone);
        }
        throw highLevelFailure(error);
      }
    },
  };
}

/** By E.164 (search, then upsert with the WhatsApp profile name); without a phone, a new phone-less contact. */
async function findOrCreateContact(
  highLevel: ActivityDeps['highLevel'],
  input: { locationId: string; phoneE164: string | null; fromUserId?: string; profileName?: string; channel?: 'sms' },
): Promise<{ contact: HighLevelContact; created: boolean }> {
  const name = input.profileName?.trim() || undefined;
  const source = input.channel === 'sms' ? 'SMS' : 'WhatsApp';
  try {
    if (!input.phoneE164) {
      const fallbackName = input.channel === 'sms' ? 'SMS sender' : `WhatsApp user ${input.fromUserId ?? ''}`.trim();
      const contact = await highLevel.createContact(input.locationId, { name: name ?? fallbackName, source });
      return { contact, created: true };
    }
    const found = await highLevel.findContactByPhone(input.locationId, input.phoneE164);
    if (found) return { contact: found, created: false };
    return await highLevel.upsertContact(input.locationId, { phone: input.phoneE164, name, source });
  } catch (error) {
    throw highLevelFailure(error);
  }
}

/**
 * A transaction-scoped PostgreSQL advisory lock: serialises work on one key across every worker. Waiters poll
 * with try-lock in short transactions instead of blocking: a blocked waiter would hold a pooled connection,
 * and enough of them would starve the holder, whose work needs connections of its own (a deadlock).
 */
async function withSenderLock<T>(db: Db, key: string, work: (trx: Db) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${key})) as locked`.execute(trx);
      return rows[0]?.locked ? { locked: true as const, value: await work(trx) } : { locked: false as const };
    });
    if (outcome.locked) return outcome.value;
    await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** attempt, 400)));
  }
}
