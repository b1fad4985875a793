import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AcceptedWhatsApp } from '../activities/inboundLedgerActivities';
import type { AcceptedSms } from '../activities/inboundSmsActivities';
import { describeUnattachedMedia, inboundMessageBody } from '../src/domain/inboundText';
import type { KeywordAction } from '../src/domain/keywords';
import { SEARCH_ATTRIBUTES, type ReceiveInboundInput } from './shared';
import { FAILURE } from '../src/domain/failures';

const ledger = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', nonRetryableErrorTypes: [FAILURE.unknownLocation] },
});

/** A reply must not be lost while HighLevel is down: retried for a day, then the failure is on record. */
const highLevel = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** Media and read marks are extras: a file that cannot be fetched in ten minutes becomes a placeholder. */
const extras = proxyActivities<Activities>({
  startToCloseTimeout: '90s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** What the first step found, tagged with the path the message takes: the SMS path has no WhatsApp settings to read. */
type Accepted = (AcceptedSms & { channel: 'sms' }) | (AcceptedWhatsApp & { channel: 'whatsapp' });

export interface InboundOutcome {
  status: 'delivered' | 'duplicate' | 'failed';
  contactId?: string;
  highLevelMessageId?: string;
  keyword?: KeywordAction;
  /** 'sent', or why no keyword confirmation went out. */
  confirmation?: string;
  attachments: number;
  placeholders: number;
  /** Steps that did not work out but did not stop the message (DND update, confirmation, read mark). */
  notes: string[];
  reason?: string;
}

/**
 * One inbound WhatsApp message → the contact's HighLevel conversation. The window and a keyword's consent are
 * recorded first (outbound reads them at once); then the contact, DND for a keyword, media, the message itself.
 * A plain SMS reply (Twilio) takes the same path without the WhatsApp window, consent, confirmation or read mark;
 * its STOP/START sets HighLevel's SMS DND instead.
 */
export async function receiveInbound(input: ReceiveInboundInput): Promise<InboundOutcome> {
  const { event, locationId } = input;
  const reference = workflowInfo().workflowId;
  const outcome: InboundOutcome = { status: 'delivered', attachments: 0, placeholders: 0, notes: [] };
  const finish = async (result: InboundOutcome): Promise<InboundOutcome> => {
    await ledger.finishInbound(event.provider, event.providerMessageId, {
      status: result.status === 'failed' ? 'failed' : 'delivered',
      statusReason: result.reason ?? null,
      detail: { attachments: result.attachments, placeholders: result.placeholders, notes: result.notes, ...(result.confirmation ? { confirmation: result.confirmation } : {}) },
    });
    return result;
  };

  // Only SMS events reach the patch check, so WhatsApp histories (recorded before SMS threading) replay unchanged.
  const accepted: Accepted =
    event.channel === 'sms' && patched('sms-inbound')
      ? { ...(await ledger.acceptSmsInbound(input)), channel: 'sms' }
      : { ...(await ledger.acceptInbound(input)), channel: 'whatsapp' };
  const sms = accepted.channel === 'sms';
  const smsOnly = sms ? { channel: 'sms' as const } : {};
  if (accepted.duplicate) return { ...outcome, status: 'duplicate', reason: `this ${sms ? 'SMS' : 'WhatsApp message'} was already threaded into HighLevel` };
  if (accepted.keyword) outcome.keyword = accepted.keyword.action;

  // An SMS sender has no WhatsApp user id or profile name.
  const contactInput = sms
    ? { locationId, phoneE164: accepted.phoneE164, channel: 'sms' as const }
    : { locationId, phoneE164: accepted.phoneE164, fromUserId: event.fromUserId, profileName: event.profileName };
  let contactId: string;
  try {
    contactId = (await highLevel.resolveInboundContact(contactInput)).contactId;
  } catch (error) {
    return finish({ ...outcome, status: 'failed', reason: `the HighLevel contact could not be found or created: ${failureMessage(error)}` });
  }
  outcome.contactId = contactId;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.contactId, value: contactId }]);

  if (accepted.keyword && accepted.mirrorInHighLevel) {
    try {
      const { action, keyword } = accepted.keyword;
      if (sms) await highLevel.applySmsConsentInHighLevel({ locationId, contactId, action, keyword });
      else await highLevel.applyConsentInHighLevel({ locationId, contactId, action, keyword, tag: accepted.optOutTag });
    } catch (error) {
      outcome.notes.push(`HighLevel DND/tag not updated: ${failureMessage(error)}`);
    }
  }

  const attachments: string[] = [];
  const placeholders: string[] = [];
  for (const [index, media] of event.media.entries()) {
    try {
      const rehosted = await extras.rehostInboundMedia({ locationId, contactId, providerMessageId: event.providerMessageId, index, media, ...smsOnly });
      if ('url' in rehosted) attachments.push(rehosted.url);
      else placeholders.push(rehosted.placeholder);
    } catch {
      placeholders.push(describeUnattachedMedia(media.kind, { reason: 'unavailable', mimeType: media.mimeType, filename: media.filename }));
    }
  }
  outcome.attachments = attachments.length;
  outcome.placeholders = placeholders.length;
  const message = inboundMessageBody(event.text, placeholders) || (attachments.length > 0 ? '' : sms ? '[Empty SMS]' : '[Empty WhatsApp message]');

  const post = (forContact: string) =>
    highLevel.postInboundToHighLevel({ locationId, provider: event.provider, providerMessageId: event.providerMessageId, contactId: forContact, message, attachments, occurredAt: event.occurredAt });
  try {
    try {
      outcome.highLevelMessageId = (await post(contactId)).highLevelMessageId;
    } catch (error) {
      if (failureType(error) !== FAILURE.highLevelContactGone) throw error;
      // The remembered contact was deleted or merged in HighLevel: look the sender up again, once.
      contactId = (await highLevel.resolveInboundContact(contactInput)).contactId;
      outcome.contactId = contactId;
      outcome.highLevelMessageId = (await post(contactId)).highLevelMessageId;
    }
  } catch (error) {
    return finish({ ...outcome, status: 'failed', reason: `HighLevel did not accept the message: ${failureMessage(error)}` });
  }

  // Twilio answers an SMS STOP/START itself; a WhatsApp confirmation would reach someone who wrote by SMS.
  if (!sms) await confirmAndMarkRead(input, accepted, reference, outcome);
  return finish(outcome);
}

/** What a WhatsApp message gets once it is in HighLevel: the keyword's confirmation and the read mark. */
async function confirmAndMarkRead({ locationId, event }: ReceiveInboundInput, accepted: AcceptedWhatsApp, reference: string, outcome: InboundOutcome): Promise<void> {
  if (accepted.keyword && accepted.confirmation && accepted.phoneE164) {
    try {
      const confirmation = await extras.sendConsentConfirmation({
        locationId,
        provider: event.provider,
        providerMessageId: event.providerMessageId,
        to: accepted.phoneE164,
        text: accepted.confirmation,
        reference,
      });
      outcome.confirmation = confirmation.sent ? 'sent' : `not sent: ${confirmation.reason}`;
    } catch (error) {
      outcome.confirmation = `not sent: ${failureMessage(error)}`;
    }
  }
  if (accepted.markAsRead) {
    try {
      await extras.markInboundRead({ locationId, providerMessageId: event.providerMessageId });
    } catch (error) {
      outcome.notes.push(`not marked as read: ${failureMessage(error)}`);
    }
  }
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
}

function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
