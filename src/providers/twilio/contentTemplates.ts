import { mediaTypeForUrl } from '../../domain/outboundContent';
import type { GraphTemplate } from '../meta/templatesClient';

/**
 * Twilio Content API templates (GET /v1/ContentAndApprovals) in the shape the template registry keeps for Meta's,
 * so the matcher and the decision work the same for both back ends. The ContentSid (HX…) is kept as the template id.
 */

/**
 * One item of ContentAndApprovals `contents`, as far as the registry needs it. Its `approval_requests` is the WhatsApp
 * approval itself, flat (twilio-python tests/integration/content/v1/test_content_and_approvals.py); only
 * GET /v1/Content/{sid}/ApprovalRequests nests it under `whatsapp`.
 */
export interface TwilioContent {
  sid: string;
  friendly_name?: string;
  language?: string;
  /** The content's own variable keys with their sample (default) values: {"1": "name", "3": "small.mp4"}. */
  variables?: Record<string, unknown>;
  types?: Record<string, unknown>;
  approval_requests?: { name?: string; category?: string; status?: string; content_type?: string; rejection_reason?: string };
}

/** Twilio's WhatsApp approval statuses onto Meta's; `received` is Twilio's "submitted, not yet reviewed". */
const STATUSES: Record<string, string> = {
  approved: 'APPROVED',
  pending: 'PENDING',
  received: 'PENDING',
  rejected: 'REJECTED',
  paused: 'PAUSED',
  disabled: 'DISABLED',
};

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Media headers: Meta's format, named by the file the content points at (a variable in the URL read with its sample
 * value, "…/{{3}}" with {"3": "small.mp4"} is a video). The URL keeps its variable: the send fills it.
 */
function mediaHeader(url: string | undefined, samples: Loose): Loose | undefined {
  if (!url) return undefined;
  const kind = mediaTypeForUrl(url.replace(/\{\{\s*([A-Za-z0-9_]*)\s*\}\}/g, (_placeholder, key: string) => (typeof samples[key] === 'string' ? samples[key] : '')));
  const format = kind === 'image' ? 'IMAGE' : kind === 'video' ? 'VIDEO' : 'DOCUMENT';
  // content_media_url: Twilio sends this media itself, so it is not a sample (src/domain/templateDefinitions.ts).
  return { type: 'HEADER', format, example: { header_handle: [url] }, content_media_url: url };
}

/** Quick replies and call-to-action buttons as Meta's BUTTONS component. */
function buttons(actions: unknown): Loose | undefined {
  if (!Array.isArray(actions) || actions.length === 0) return undefined;
  const list = actions.filter(isObject).map((action) => ({
    type: String(action.type ?? 'QUICK_REPLY').toUpperCase(),
    text: text(action.title) ?? '',
    ...(text(action.url) ? { url: text(action.url) } : {}),
  }));
  return { type: 'BUTTONS', buttons: list };
}

/** The content type Twilio submitted to WhatsApp (else the first one) as Meta components. */
export function contentComponents(types: Record<string, unknown>, preferred?: string, samples: Loose = {}): Loose[] {
  const name = preferred && isObject(types[preferred]) ? preferred : Object.keys(types).find((key) => isObject(types[key]));
  const definition = name ? (types[name] as Loose) : undefined;
  if (!name || !definition) return [];
  const media = Array.isArray(definition.media) ? text(definition.media[0]) : undefined;
  const parts: Array<Loose | undefined> =
    name === 'twilio/card'
      ? // A card's title is what WhatsApp shows as the body, its subtitle as the footer.
        [mediaHeader(media, samples), { type: 'BODY', text: text(definition.title) ?? '' }, text(definition.subtitle) ? { type: 'FOOTER', text: definition.subtitle } : undefined]
      : [
          text(definition.header_text) ? { type: 'HEADER', format: 'TEXT', text: definition.header_text } : mediaHeader(media, samples),
          { type: 'BODY', text: text(definition.body) ?? '' },
          text(definition.footer) ? { type: 'FOOTER', text: definition.footer } : undefined,
        ];
  parts.push(buttons(definition.actions));
  return parts.filter((part): part is Loose => part !== undefined);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Named when any placeholder is not a number ({{first_name}}); Twilio's classic variables are {{1}}, {{2}} … */
function parameterFormat(components: Loose[]): 'NAMED' | 'POSITIONAL' {
  const texts = components.map((component) => (typeof component.text === 'string' ? component.text : '')).join(' ');
  return Array.from(texts.matchAll(PLACEHOLDER)).some((match) => !/^\d+$/.test(match[1] ?? '')) ? 'NAMED' : 'POSITIONAL';
}

/**
 * One Content template as a registry row, or undefined when it was never submitted to WhatsApp (an SMS- or
 * RCS-only content is no WhatsApp template) or lacks a name or language.
 */
export function contentAsTemplate(content: TwilioContent): GraphTemplate | undefined {
  const approval = isObject(content.approval_requests) ? content.approval_requests : undefined;
  const status = String(approval?.status ?? '').toLowerCase();
  if (!approval || status === '' || status === 'unsubmitted') return undefined;
  const name = text(approval.name) ?? text(content.friendly_name);
  const language = text(content.language);
  if (!name || !language || typeof content.sid !== 'string') return undefined;
  const components = contentComponents(isObject(content.types) ? content.types : {}, text(approval.content_type), isObject(content.variables) ? content.variables : {});
  return {
    id: content.sid,
    name,
    language,
    status: STATUSES[status] ?? status.toUpperCase(),
    category: (text(approval.category) ?? 'UTILITY').toUpperCase(),
    parameter_format: parameterFormat(components),
    components,
  };
}
