import { describeInbound, isMediaKind, type InboundContent, type SharedContact } from '../../domain/inboundText';
import { normalizePhone } from '../../domain/phone';
import type { InboundEvent, InboundMediaRef } from '../messagingPort';
import type { MetaWebhookPayload } from './webhookParser';

/** The parts of an incoming `messages[]` item we read (whatsapp.md A.3); everything is optional on the wire. */
type Json = Record<string, unknown>;

interface MetaContact {
  profile?: { name?: string };
  wa_id?: string;
  user_id?: string;
}

/** Every message in every change of every entry (Meta batches), including senders known only by a user id. */
export function parseMetaInbound(payload: MetaWebhookPayload): InboundEvent[] {
  const events: InboundEvent[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages') continue;
      const value = (change.value ?? {}) as Json;
      const businessNumberId = str((value.metadata as Json | undefined)?.phone_number_id);
      const contacts = Array.isArray(value.contacts) ? (value.contacts as MetaContact[]) : [];
      const messages = Array.isArray(value.messages) ? (value.messages as unknown[]) : [];
      if (!businessNumberId) continue;
      for (const raw of messages) {
        const event = toEvent(raw, businessNumberId, contacts);
        if (event) events.push(event);
      }
    }
  }
  return events;
}

function toEvent(raw: unknown, businessNumberId: string, contacts: MetaContact[]): InboundEvent | undefined {
  if (!isObject(raw)) return undefined;
  const id = str(raw.id);
  const fromDigits = str(raw.from);
  const fromUserId = str(raw.from_user_id);
  if (!id || (!fromDigits && !fromUserId)) return undefined; // nothing to key on or to thread to
  const contact =
    contacts.find((candidate) => (fromDigits && candidate.wa_id === fromDigits) || (fromUserId && candidate.user_id === fromUserId)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const content = contentOf(raw);
  const media = mediaOf(raw, content);
  const payload = payloadOf(content);
  const replyTo = content.type === 'reaction' ? content.messageId : str((raw.context as Json | undefined)?.id);
  const profileName = contact?.profile?.name;
  return {
    kind: 'inbound',
    provider: 'meta',
    providerMessageId: id,
    businessNumberId,
    from: fromDigits ? toE164(fromDigits) : null,
    ...(fromDigits ? { waId: fromDigits } : {}),
    ...(fromUserId ? { fromUserId } : {}),
    ...(profileName ? { profileName } : {}),
    occurredAt: toIso(raw.timestamp),
    type: content.type,
    text: describeInbound(content),
    media,
    ...(payload ? { payload } : {}),
    ...(replyTo ? { replyTo } : {}),
  };
}

/** The typed object of the message, in provider-neutral terms; unknown types become `unsupported`. */
function contentOf(raw: Json): InboundContent {
  const type = str(raw.type) ?? 'unknown';
  const body = isObject(raw[type]) ? (raw[type] as Json) : {};
  if (isMediaKind(type)) {
    return { type, caption: str(body.caption), filename: str(body.filename), mimeType: str(body.mime_type), voice: body.voice === true };
  }
  switch (type) {
    case 'text':
      return { type, body: str(body.body) ?? '' };
    case 'button':
      return { type, text: str(body.text) ?? '', payload: str(body.payload) };
    case 'interactive': {
      const replyType = str(body.type) ?? 'unknown';
      const reply = isObject(body[replyType]) ? (body[replyType] as Json) : {};
      return { type, replyType, title: str(reply.title) ?? str(reply.name), id: str(reply.id), description: str(reply.description) };
    }
    case 'reaction':
      return { type, emoji: str(body.emoji), messageId: str(body.message_id) };
    case 'location':
      return { type, latitude: num(body.latitude), longitude: num(body.longitude), name: str(body.name), address: str(body.address), url: str(body.url) };
    case 'contacts':
      return { type, contacts: (Array.isArray(raw.contacts) ? raw.contacts : []).filter(isObject).map(sharedContact) };
    case 'order':
      return { type, itemCount: Array.isArray(body.product_items) ? body.product_items.length : 0, note: str(body.text) };
    case 'system':
      return { type, body: str(body.body) };
    default: {
      const error = Array.isArray(raw.errors) && isObject(raw.errors[0]) ? (raw.errors[0] as Json) : undefined;
      const details = str((error?.error_data as Json | undefined)?.details) ?? str(error?.message) ?? str(error?.title);
      return { type: 'unsupported', originalType: type, details };
    }
  }
}

function sharedContact(card: Json): SharedContact {
  const name = isObject(card.name) ? (card.name as Json) : {};
  const formatted = str(name.formatted_name) ?? ([str(name.first_name), str(name.last_name)].filter(Boolean).join(' ') || undefined);
  const phones = (Array.isArray(card.phones) ? card.phones : []).filter(isObject).map((phone) => str(phone.phone) ?? str(phone.wa_id)).filter(isString);
  const emails = (Array.isArray(card.emails) ? card.emails : []).filter(isObject).map((email) => str(email.email)).filter(isString);
  return { ...(formatted ? { name: formatted } : {}), phones, emails };
}

function mediaOf(raw: Json, content: InboundContent): InboundMediaRef[] {
  if (!isMediaKind(content.type)) return [];
  const body = raw[content.type] as Json | undefined;
  const id = str(body?.id);
  if (!id) return [];
  const mimeType = str(body?.mime_type);
  const filename = str(body?.filename);
  const sha256 = str(body?.sha256);
  return [{ kind: content.type, id, ...(mimeType ? { mimeType } : {}), ...(filename ? { filename } : {}), ...(sha256 ? { sha256 } : {}) }];
}

function payloadOf(content: InboundContent): string | undefined {
  if (content.type === 'button') return content.payload;
  if (content.type === 'interactive') return content.id;
  return undefined;
}

/** WhatsApp already verified the number, so digits libphonenumber does not know yet are kept as they are. */
function toE164(digits: string): string | null {
  const phone = normalizePhone(`+${digits.replace(/\D/g, '')}`);
  if (phone.ok) return phone.e164;
  const plain = digits.replace(/\D/g, '');
  return plain.length >= 8 && plain.length <= 15 ? `+${plain}` : null;
}

function toIso(timestamp: unknown): string {
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}
