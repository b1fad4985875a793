/** Meta message templates as the registry keeps them, read from Meta's `components` array (whatsapp.md A.1). */

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

export type HeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

export interface TemplateHeader {
  format: HeaderFormat;
  /** TEXT headers: the text with at most one {{1}} / {{name}} placeholder. */
  text?: string;
  /**
   * Media headers: media the template itself carries and its provider sends whatever the parameters (a Twilio
   * content's media, `content_media_url` from src/providers/twilio/contentTemplates.ts). Never Meta's
   * `example.header_handle`: that is the sample shown at review, not something to send to a contact.
   */
  fixedMediaUrl?: string;
}

export interface TemplateButton {
  index: number;
  /** QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, FLOW, OTP, … */
  type: string;
  text: string;
  /** URL buttons: the URL, possibly ending in a {{1}} suffix placeholder. */
  url?: string;
}

/** Everything the pure template functions need about one template (one name in one language). */
export interface KnownTemplate {
  name: string;
  language: string;
  category: string;
  /** Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … (DELETED once it left the WABA). */
  status: string;
  parameterFormat: ParameterFormat;
  body: string;
  header: TemplateHeader | null;
  footer: string | null;
  buttons: TemplateButton[];
}

export interface TemplateParts {
  body: string;
  header: TemplateHeader | null;
  footer: string | null;
  buttons: TemplateButton[];
}

const HEADER_FORMATS = new Set<HeaderFormat>(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']);

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Body, header, footer and buttons out of Meta's components (unknown component types are ignored). */
export function templateParts(components: unknown[]): TemplateParts {
  const parts: TemplateParts = { body: '', header: null, footer: null, buttons: [] };
  for (const component of components) {
    if (!isObject(component)) continue;
    const type = String(component.type ?? '').toUpperCase();
    if (type === 'BODY') parts.body = text(component.text) ?? '';
    if (type === 'FOOTER') parts.footer = text(component.text) ?? null;
    if (type === 'HEADER') parts.header = headerOf(component);
    if (type === 'BUTTONS' && Array.isArray(component.buttons)) {
      parts.buttons = component.buttons.filter(isObject).map((button, index) => ({
        index,
        type: String(button.type ?? '').toUpperCase(),
        text: text(button.text) ?? '',
        ...(text(button.url) ? { url: text(button.url) } : {}),
      }));
    }
  }
  return parts;
}

function headerOf(component: Loose): TemplateHeader {
  const format = String(component.format ?? 'TEXT').toUpperCase() as HeaderFormat;
  const safeFormat = HEADER_FORMATS.has(format) ? format : 'TEXT';
  if (safeFormat === 'TEXT') return { format: 'TEXT', text: text(component.text) ?? '' };
  const fixed = text(component.content_media_url);
  return { format: safeFormat, ...(fixed && /^https?:\/\//i.test(fixed) ? { fixedMediaUrl: fixed } : {}) };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholder keys of a text, in the order Meta numbers them ({{1}}, {{2}} … or first appearance for names). */
export function placeholderKeys(value: string, format: ParameterFormat): string[] {
  const keys = [...new Set(Array.from(value.matchAll(PLACEHOLDER), (match) => match[1] ?? ''))];
  if (format === 'NAMED') return keys;
  return keys.sort((a, b) => Number(a) - Number(b));
}

/** Splits a text into literals and placeholders: literals[i] comes before placeholders[i]; one more literal than placeholders. */
export function splitPlaceholders(value: string): { literals: string[]; placeholders: string[] } {
  const literals: string[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of value.matchAll(PLACEHOLDER)) {
    literals.push(value.slice(last, match.index));
    placeholders.push(match[1] ?? '');
    last = (match.index ?? 0) + match[0].length;
  }
  literals.push(value.slice(last));
  return { literals, placeholders };
}

export function templateKey(template: { name: string; language: string }): string {
  return `${template.name}/${template.language}`;
}
