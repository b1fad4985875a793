import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { ErrorClass } from '../src/domain/metaErrors';
import { classifyProviderError, describeProviderError, type Provider } from '../src/domain/providerErrors';
import { describeTemplateError, isTemplateError } from '../src/domain/templateErrors';
import type { OutboundPart } from '../src/domain/outboundContent';
import { ledgerTimeline, recordLedgerEvent } from '../src/store/ledger';
import { findLocation } from '../src/store/locations';
import { ProviderSendError } from '../src/providers/whatsappPort';
import type { ActivityDeps } from './deps';

/** Details of a send the provider refused for good; the workflow reads them from the failure. */
export interface SendRejection {
  errorClass: ErrorClass;
  code: number;
  reason: string;
}

export const SEND_REJECTED = 'WhatsAppSendRejected';

export function createWhatsAppActivities({ db, whatsAppSenderFor }: ActivityDeps) {
  return {
    /**
     * Sends every part once. Each accepted part is written to the ledger before the next, so a retry after a
     * crash or timeout resumes after the last accepted part instead of sending it again.
     */
    async sendWhatsApp(input: { messageId: string; locationId: string; to: string; parts: OutboundPart[] }): Promise<{ provider: string; providerMessageIds: string[] }> {
      const location = await findLocation(db, input.locationId);
      if (!location) throw ApplicationFailure.nonRetryable(`location ${input.locationId} is not configured`, 'UnknownLocation');
      const sender = whatsAppSenderFor(location);
      const alreadySent = new Map<number, string>();
      for (const event of await ledgerTimeline(db, input.messageId)) {
        if (event.type === 'sent') alreadySent.set(Number(event.detail.part), String(event.detail.providerMessageId));
      }
      const ids: string[] = [];
      for (const [index, part] of input.parts.entries()) {
        const known = alreadySent.get(index);
        if (known) {
          ids.push(known);
          continue;
        }
        try {
          const { providerMessageId } = await sender.send(input.to, part, input.messageId);
          await recordLedgerEvent(
            db,
            input.messageId,
            'sent',
            { part: index, kind: part.kind === 'media' ? part.mediaType : part.kind, provider: sender.provider, providerMessageId, attempt: activityInfo().attempt },
            { status: 'sent', channel: 'whatsapp', provider: sender.provider, providerMessageId },
          );
          ids.push(providerMessageId);
        } catch (error) {
          throw toActivityFailure(error, sender.provider, part);
        }
      }
      return { provider: sender.provider, providerMessageIds: ids };
    },
  };
}

function toActivityFailure(error: unknown, provider: Provider, part: OutboundPart): unknown {
  if (!(error instanceof ProviderSendError)) return error; // network errors: retried with backoff
  const errorClass = classifyProviderError(provider, error.providerError);
  const reason =
    part.kind === 'template' && isTemplateError(error.providerError)
      ? describeTemplateError(error.providerError, part.template)
      : describeProviderError(provider, error.providerError);
  if (errorClass === 'retry') {
    return ApplicationFailure.create({ message: reason, type: 'WhatsAppSendRetryable', nonRetryable: false, cause: error });
  }
  const rejection: SendRejection = { errorClass, code: error.providerError.code, reason };
  return ApplicationFailure.create({ message: reason, type: SEND_REJECTED, nonRetryable: true, details: [rejection] });
}
