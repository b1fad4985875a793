import { describeUnattachedMedia } from '../src/domain/inboundText';
import { baseMimeType } from '../src/domain/mediaDownload';
import { HighLevelApiError } from '../src/providers/highlevel/highLevelClient';
import type { InboundMediaRef } from '../src/providers/messagingPort';
import type { ActivityDeps } from './deps';
import { highLevelFailure } from './highLevelFailures';
import { requireLocation } from './locations';

/** HighLevel's conversation upload takes files up to 5 MB (highlevel.md §5c). */
export const HIGHLEVEL_UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024;

/** The extensions HighLevel's upload accepts, with the extension used for each WhatsApp MIME type. */
const ALLOWED_EXTENSIONS = new Set([
  'jpg', 'jpeg', 'png', 'gif', 'svg', 'heic', 'ai', 'mp4', 'mpeg', '3gp', 'mp3', 'wav', 'wave', 'aiff', 'aif', 'aifc',
  'gsm', 'ulaw', 'ogg', 'aac', 'm4a', 'amr', 'pdf', 'doc', 'docx', 'txt', 'csv', 'xls', 'xlsx', 'ppt', 'pptx', 'odt',
  'zip', 'rar', 'vcf', 'vcard', 'ics',
]);
const EXTENSION_FOR_MIME: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/heic': 'heic',
  'video/mp4': 'mp4', 'video/mpeg': 'mpeg', 'video/3gpp': '3gp',
  'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/aac': 'aac', 'audio/mp4': 'm4a', 'audio/amr': 'amr', 'audio/wav': 'wav',
  'application/pdf': 'pdf', 'application/msword': 'doc', 'text/plain': 'txt', 'text/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-powerpoint': 'ppt', 'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt', 'application/zip': 'zip', 'text/vcard': 'vcf', 'text/calendar': 'ics',
};

/** The name HighLevel stores the file under; undefined when HighLevel would refuse the type. */
export function uploadFileName(ref: InboundMediaRef, mimeType: string, providerMessageId: string, index: number): string | undefined {
  const given = ref.filename?.trim().replace(/[\\/]/g, '_');
  const givenExtension = given?.includes('.') ? given.split('.').pop()?.toLowerCase() : undefined;
  if (given && givenExtension && ALLOWED_EXTENSIONS.has(givenExtension)) return given;
  const extension = EXTENSION_FOR_MIME[baseMimeType(mimeType)];
  if (!extension) return undefined;
  const stem = providerMessageId.replace(/[^A-Za-z0-9]/g, '').slice(-16) || 'file';
  return `whatsapp-${ref.kind}-${stem}${index > 0 ? `-${index + 1}` : ''}.${extension}`;
}

export type RehostedMedia = { url: string } | { placeholder: string };

export function createInboundMediaActivities({ db, highLevel, whatsAppInboundFor, smsInboundFor }: ActivityDeps) {
  /** An SMS's MMS files come from the location's Twilio SMS account, even when WhatsApp runs on the Cloud API. */
  const inboundFor = async (locationId: string, channel?: 'sms') => {
    const location = await requireLocation(db, locationId);
    return channel === 'sms' ? smsInboundFor(location) : whatsAppInboundFor(location);
  };

  return {
    /**
     * Downloads the file from the WhatsApp back end and uploads it into HighLevel's conversation storage.
     * Files HighLevel cannot take (too large, type not allowed) become a text placeholder naming type and size.
     */
    async rehostInboundMedia(input: { locationId: string; contactId: string; providerMessageId: string; index: number; media: InboundMediaRef; channel?: 'sms' }): Promise<RehostedMedia> {
      const { media } = input;
      const fetched = await (await inboundFor(input.locationId, input.channel)).fetchMedia(media, { maxBytes: HIGHLEVEL_UPLOAD_LIMIT_BYTES });
      if (!fetched.ok) {
        return { placeholder: describeUnattachedMedia(media.kind, { reason: fetched.reason, sizeBytes: fetched.sizeBytes, mimeType: fetched.mimeType ?? media.mimeType, filename: media.filename }) };
      }
      const facts = { sizeBytes: fetched.bytes.length, mimeType: fetched.mimeType, filename: media.filename };
      const filename = uploadFileName(media, fetched.mimeType, input.providerMessageId, input.index);
      if (!filename) return { placeholder: describeUnattachedMedia(media.kind, { reason: 'type_not_allowed', ...facts }) };
      try {
        const conversationId = await highLevel.conversationIdFor(input.locationId, input.contactId);
        const url = await highLevel.uploadAttachment(input.locationId, { conversationId, contactId: input.contactId, filename, contentType: baseMimeType(fetched.mimeType), bytes: fetched.bytes });
        return { url };
      } catch (error) {
        if (error instanceof HighLevelApiError && error.status === 413) return { placeholder: describeUnattachedMedia(media.kind, { reason: 'too_large', ...facts }) };
        if (error instanceof HighLevelApiError && error.status === 415) return { placeholder: describeUnattachedMedia(media.kind, { reason: 'type_not_allowed', ...facts }) };
        throw highLevelFailure(error);
      }
    },

    /** Blue ticks for the sender (per-location setting markInboundAsRead). */
    async markInboundRead(input: { locationId: string; providerMessageId: string }): Promise<void> {
      await (await inboundFor(input.locationId)).markRead(input.providerMessageId);
    },
  };
}
