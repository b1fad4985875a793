/**
 * Every inbound WhatsApp message, whatever its type, becomes text a HighLevel user can read in the
 * conversation (HighLevel's SMS channel shows text and attachments only).
 */
export type InboundMediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

export interface SharedContact {
  name?: string;
  phones: string[];
  emails: string[];
}

/** Provider-neutral content of one inbound message. */
export type InboundContent =
  | { type: 'text'; body: string }
  | { type: InboundMediaKind; caption?: string; filename?: string; mimeType?: string; voice?: boolean }
  | { type: 'button'; text: string; payload?: string }
  | { type: 'interactive'; replyType: string; title?: string; id?: string; description?: string }
  | { type: 'reaction'; emoji?: string; messageId?: string }
  | { type: 'location'; latitude?: number; longitude?: number; name?: string; address?: string; url?: string }
  | { type: 'contacts'; contacts: SharedContact[] }
  | { type: 'order'; itemCount: number; note?: string }
  | { type: 'system'; body?: string }
  | { type: 'unsupported'; originalType?: string; details?: string };

export const MEDIA_KINDS: readonly InboundMediaKind[] = ['image', 'audio', 'video', 'document', 'sticker'];

export function isMediaKind(type: string): type is InboundMediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(type);
}

const MEDIA_NAMES: Record<InboundMediaKind, string> = { image: 'Image', audio: 'Audio', video: 'Video', document: 'Document', sticker: 'Sticker' };

/** The message text HighLevel shows; media captions are the text (the file itself travels as an attachment). */
export function describeInbound(content: InboundContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return content.caption?.trim() ?? '';
    case 'button':
      return content.text || content.payload || '[Button reply]';
    case 'interactive':
      return describeInteractive(content);
    case 'reaction':
      return content.emoji ? `[Reacted ${content.emoji} to a message]` : '[Removed a reaction]';
    case 'location':
      return describeLocation(content);
    case 'contacts':
      return describeContacts(content.contacts);
    case 'order':
      return `[Sent an order with ${content.itemCount} ${content.itemCount === 1 ? 'item' : 'items'}]${content.note ? ` ${content.note}` : ''}`;
    case 'system':
      return `[WhatsApp notice] ${content.body ?? 'the contact changed their WhatsApp account'}`;
    case 'unsupported':
      return `[Unsupported WhatsApp message${content.originalType && content.originalType !== 'unsupported' ? ` (${content.originalType})` : ''}: open WhatsApp to view it${content.details ? `. ${content.details}` : ''}]`;
  }
}

function describeInteractive(content: Extract<InboundContent, { type: 'interactive' }>): string {
  if (content.replyType === 'nfm_reply') return `[Submitted a WhatsApp form${content.title ? `: ${content.title}` : ''}]`;
  if (!content.title) return '[Interactive reply]';
  return content.description ? `${content.title} (${content.description})` : content.title;
}

function describeLocation(content: Extract<InboundContent, { type: 'location' }>): string {
  const hasPoint = typeof content.latitude === 'number' && typeof content.longitude === 'number';
  const place = [content.name, content.address].filter(Boolean).join(', ');
  const map = hasPoint ? `https://maps.google.com/?q=${content.latitude},${content.longitude}` : content.url;
  return ['[Shared a location]', place, map].filter(Boolean).join(' ');
}

function describeContacts(contacts: SharedContact[]): string {
  if (contacts.length === 0) return '[Shared a contact card]';
  const cards = contacts.map((contact) => [contact.name ?? 'Unnamed contact', ...contact.phones, ...contact.emails].join(' '));
  return `[Shared ${contacts.length === 1 ? 'a contact' : `${contacts.length} contacts`}] ${cards.join('; ')}`;
}

export type UnattachedReason = 'too_large' | 'type_not_allowed' | 'unavailable';

/** Shown instead of a file HighLevel cannot take, so the user knows something was sent and what. */
export function describeUnattachedMedia(kind: InboundMediaKind, details: { reason: UnattachedReason; sizeBytes?: number; mimeType?: string; filename?: string }): string {
  const facts = [details.filename, details.mimeType?.split(';')[0]?.trim(), details.sizeBytes !== undefined ? formatBytes(details.sizeBytes) : undefined].filter(Boolean);
  const what = `${MEDIA_NAMES[kind]}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
  const why: Record<UnattachedReason, string> = {
    too_large: 'too large to attach in HighLevel',
    type_not_allowed: 'this file type cannot be attached in HighLevel',
    unavailable: 'the file could not be downloaded from WhatsApp',
  };
  return `[${what}: ${why[details.reason]}; open WhatsApp to view it]`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The text posted to HighLevel: the message's own text, then one line per file that could not be attached. */
export function inboundMessageBody(text: string, placeholders: string[]): string {
  return [text.trim(), ...placeholders].filter((line) => line.length > 0).join('\n');
}
