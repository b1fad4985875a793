import { defaultMimeType, type MediaStore } from './media';
import { newWamid, phoneDigits, unixSeconds } from './ids';
import type { InboundSpec, WebhookContact, WebhookInboundMessage } from './types';

/** Inner `messages[]` and `contacts[]` objects of incoming-message webhooks, like the A.3 verbatim examples. */

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

function buildMediaObject(spec: InboundSpec, media: MediaStore): Record<string, unknown> {
  let mediaId = spec.mediaId;
  if (mediaId === undefined || !media.get(mediaId)) {
    // Store placeholder bytes so GET /{media-id} and the download URL work for simulated inbound media.
    mediaId = media.add({
      ...(mediaId === undefined ? {} : { id: mediaId }),
      bytes: Buffer.from(`simulated ${spec.type} ${spec.filename ?? ''}`.trim()),
      mimeType: spec.mimeType ?? defaultMimeType(spec.type),
    });
  }
  const stored = media.get(mediaId)!;
  return {
    ...(spec.caption === undefined ? {} : { caption: spec.caption }),
    ...(spec.type === 'document' && spec.filename !== undefined ? { filename: spec.filename } : {}),
    mime_type: spec.mimeType ?? stored.mimeType,
    sha256: stored.sha256,
    id: mediaId,
  };
}

function typeSpecificFields(spec: InboundSpec, media: MediaStore): Record<string, unknown> {
  if (MEDIA_TYPES.has(spec.type)) return { [spec.type]: buildMediaObject(spec, media) };
  switch (spec.type) {
    case 'text':
      return { text: { body: spec.text ?? '' } };
    case 'button':
      return { button: spec.button ?? { payload: spec.text ?? '', text: spec.text ?? '' } };
    case 'interactive':
      return {
        interactive: spec.interactive ?? { type: 'button_reply', button_reply: { id: spec.text ?? 'button', title: spec.text ?? 'Button' } },
      };
    case 'reaction':
      return { reaction: spec.reaction ?? { message_id: spec.context?.id ?? '', emoji: spec.text ?? '👍' } };
    case 'location':
      return { location: spec.location ?? { latitude: 0, longitude: 0 } };
    case 'contacts':
      return { contacts: spec.contacts ?? [] };
    case 'unsupported':
      return {
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      };
    case 'system':
      return {
        system: spec.system ?? {
          body: spec.text ?? 'User changed number',
          wa_id: phoneDigits(spec.from ?? ''),
          type: 'user_changed_number',
        },
      };
    default:
      return {};
  }
}

export interface BuiltInbound {
  message: WebhookInboundMessage;
  /** Absent for system messages, which carry no contacts[] entry. */
  contact?: WebhookContact;
}

/** `waIdFor` turns the sender's number into the WhatsApp id Meta reports as `from` and `wa_id`. */
export function buildInboundMessage(spec: InboundSpec, media: MediaStore, waIdFor: (phone: string) => string = phoneDigits): BuiltInbound {
  const from = spec.from === undefined ? undefined : waIdFor(spec.from);
  if (from === undefined && spec.fromUserId === undefined) throw new Error('An inbound message needs `from` or `fromUserId`');
  const timestamp = spec.timestamp === undefined ? unixSeconds() : String(Math.floor(spec.timestamp));
  const extra = typeSpecificFields(spec, media);
  // Key order follows Meta's examples: context, from, id, timestamp, (errors), type, then the typed object.
  const message: WebhookInboundMessage = {
    ...(spec.context ? { context: { from: phoneDigits(spec.context.from), id: spec.context.id } } : {}),
    ...(from === undefined ? {} : { from }),
    ...(spec.fromUserId === undefined ? {} : { from_user_id: spec.fromUserId }),
    id: spec.id ?? newWamid(from ?? '', 'inbound'),
    timestamp,
    ...(spec.type === 'unsupported' ? extra : {}),
    type: spec.type,
    ...(spec.type === 'unsupported' ? {} : extra),
  };
  if (spec.type === 'system') return { message };
  const contact: WebhookContact = {
    profile: { name: spec.profileName ?? 'WhatsApp User' },
    ...(from === undefined ? {} : { wa_id: from }),
    ...(spec.fromUserId === undefined ? {} : { user_id: spec.fromUserId }),
  };
  return { message, contact };
}
