import { isMediaKind, type InboundContent, type InboundMediaKind } from '../../domain/inboundText';
import { normalizePhone } from '../../domain/phone';
import type { InboundMediaRef } from '../messagingPort';
import type { FormParams } from './signature';

/** First value of a form field; empty strings count as absent, as they do for Twilio. */
export function field(params: FormParams, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

const MAX_MEDIA = 10;

function mediaKind(contentType: string, messageType: string | undefined): InboundMediaKind {
  if (messageType && isMediaKind(messageType)) return messageType;
  const family = contentType.split('/')[0] ?? '';
  return family === 'image' || family === 'video' || family === 'audio' ? family : 'document';
}

/** MediaUrlN / MediaContentTypeN: the files, fetched later with the account's Basic auth. */
export function inboundMedia(params: FormParams, messageType: string | undefined): InboundMediaRef[] {
  const count = Math.min(Number(field(params, 'NumMedia') ?? 0) || 0, MAX_MEDIA);
  const media: InboundMediaRef[] = [];
  for (let index = 0; index < count; index += 1) {
    const url = field(params, `MediaUrl${index}`);
    const mimeType = field(params, `MediaContentType${index}`);
    if (url) media.push({ kind: mediaKind(mimeType ?? '', messageType), url, ...(mimeType ? { mimeType } : {}) });
  }
  return media;
}

function number(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) ? parsed : undefined;
}

const KNOWN_TYPES = new Set(['text', 'button', 'interactive', 'location', 'image', 'video', 'audio', 'document', 'sticker']);

/** Twilio flattens WhatsApp's typed message into form fields; this puts the type back. */
export function inboundContent(params: FormParams, media: InboundMediaRef[]): InboundContent {
  const body = field(params, 'Body');
  const messageType = field(params, 'MessageType');
  const buttonText = field(params, 'ButtonText');
  const buttonPayload = field(params, 'ButtonPayload');
  if (buttonText !== undefined || buttonPayload !== undefined) return { type: 'button', text: buttonText ?? body ?? '', payload: buttonPayload };
  const first = media[0];
  if (first) return { type: first.kind, caption: body, mimeType: first.mimeType };
  const latitude = number(field(params, 'Latitude'));
  const longitude = number(field(params, 'Longitude'));
  if (messageType === 'location' || (latitude !== undefined && longitude !== undefined)) {
    return { type: 'location', latitude, longitude, name: field(params, 'Label'), address: field(params, 'Address') };
  }
  if (body === undefined && messageType !== undefined && !KNOWN_TYPES.has(messageType)) return { type: 'unsupported', originalType: messageType };
  return { type: 'text', body: body ?? '' };
}

/** From is `whatsapp:+…` or `+…`; WhatsApp already verified it, so numbers libphonenumber does not know are kept. */
export function toE164(from: string, waId: string | undefined): string | null {
  const phone = normalizePhone(from);
  if (phone.ok) return phone.e164;
  const digits = (waId ?? from).replace(/\D/g, '');
  return /^\+?\d/.test(from) && digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}
