/** One WhatsApp message to send; a HighLevel SMS with attachments becomes several. */
export type OutboundPart =
  | { kind: 'text'; body: string; previewUrl: boolean }
  | { kind: 'media'; mediaType: MediaType; link: string; caption?: string; filename?: string }
  | { kind: 'template'; template: TemplateMessage };

export type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** An approved Meta template with its send-time parameters (whatsapp.md A.1); built by src/domain/templateDecision.ts. */
export interface TemplateMessage {
  name: string;
  /** Meta's language code, e.g. en_US. */
  language: string;
  category: string;
  components: TemplateSendComponent[];
}

export type TemplateSendComponent =
  | { type: 'header' | 'body'; parameters: TemplateSendParameter[] }
  | { type: 'button'; sub_type: 'url' | 'quick_reply' | 'copy_code'; index: string; parameters: TemplateSendParameter[] };

export type TemplateSendParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'image'; image: { link: string } }
  | { type: 'video'; video: { link: string } }
  | { type: 'document'; document: { link: string; filename?: string } }
  | { type: 'payload'; payload: string }
  | { type: 'coupon_code'; coupon_code: string };

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/**
 * What WhatsApp takes, per Meta's and Twilio's published media types: images are JPEG/PNG; image/webp only as a
 * sticker (no caption; Twilio: "only used for WhatsApp stickers"); OGG audio with the opus codec, as .ogg or .opus
 * (Twilio's words). Anything else goes as a document.
 */
const EXTENSIONS: Record<string, MediaType> = {
  jpg: 'image', jpeg: 'image', png: 'image', webp: 'sticker',
  mp4: 'video', '3gp': 'video',
  mp3: 'audio', ogg: 'audio', aac: 'audio', amr: 'audio', m4a: 'audio', opus: 'audio',
};

/** Neither audio nor a sticker carries a caption on WhatsApp. */
const CAPTIONLESS = new Set<MediaType>(['audio', 'sticker']);

export function mediaTypeForUrl(url: string): MediaType {
  const pathname = (() => {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  })();
  const extension = pathname.split('.').pop()?.toLowerCase() ?? '';
  return EXTENSIONS[extension] ?? 'document';
}

function fileName(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

function hasLink(text: string): boolean {
  return /https?:\/\/\S+/i.test(text);
}

/** Splits at line or word boundaries so no part exceeds WhatsApp's text limit. */
export function chunkText(text: string, limit = TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

export function hasSticker(attachments: string[]): boolean {
  return attachments.some((link) => mediaTypeForUrl(link) === 'sticker');
}

/**
 * The text rides as the first attachment's caption when WhatsApp allows one (not audio or a sticker, within 1024
 * characters); otherwise it is sent first as its own text message. `stickers: false` is the behaviour of runs
 * recorded before .webp went as a sticker (it went as a captionable image).
 */
export function buildOutboundParts(text: string, attachments: string[], options: { stickers?: boolean } = {}): OutboundPart[] {
  const body = text.trim();
  const typeOf = (link: string): MediaType => {
    const type = mediaTypeForUrl(link);
    return type === 'sticker' && !options.stickers ? 'image' : type;
  };
  const media = attachments.map((link) => ({ kind: 'media' as const, mediaType: typeOf(link), link }));
  const captionTarget = media.find((part) => !CAPTIONLESS.has(part.mediaType));
  const parts: OutboundPart[] = [];
  if (body && !(captionTarget && body.length <= CAPTION_LIMIT)) {
    for (const chunk of chunkText(body)) parts.push({ kind: 'text', body: chunk, previewUrl: hasLink(chunk) });
  }
  for (const part of media) {
    const caption = body && part === captionTarget && body.length <= CAPTION_LIMIT ? body : undefined;
    const filename = part.mediaType === 'document' ? fileName(part.link) : undefined;
    parts.push({ ...part, ...(caption ? { caption } : {}), ...(filename ? { filename } : {}) });
  }
  return parts;
}
