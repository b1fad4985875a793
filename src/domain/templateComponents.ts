import { mediaTypeForUrl, type TemplateSendComponent, type TemplateSendParameter } from './outboundContent';
import { placeholderKeys, templateKey, type KnownTemplate } from './templateDefinitions';

/**
 * The send-time `components` of a template message: body parameters, the header parameter and button
 * parameters, each where the template declares one. Documented defaults (docs/templates.md):
 * - text header parameter: the rule's `header`, else the header line found in the text, else (named
 *   templates) the body parameter of the same name;
 * - media header: the rule's `header` link, else the first attachment of that media type, else media the
 *   template itself carries (Twilio content); never Meta's review sample (example.header_handle);
 * - URL button suffix: the rule's value, else the end of the first link in the text that starts with the
 *   button's fixed URL;
 * - quick-reply payload: only from a rule (WhatsApp otherwise returns the button text); coupon code: rule only.
 */

export interface ParameterValues {
  body: Record<string, string>;
  /** Header values found in the text by the matcher (text headers only). */
  headerFromText?: Record<string, string>;
  /** From a rule: header text or media link. */
  header?: string;
  /** From a rule, by button index. */
  buttons?: Record<string, string>;
}

export interface ShownParameters {
  body: string[];
  /** Named templates: the names of `body`, in the same order. */
  bodyNames?: string[];
  header?: string;
  buttons?: Record<string, string>;
}

export type BuiltComponents =
  | { ok: true; components: TemplateSendComponent[]; parameters: ShownParameters; attachmentsUsed: string[] }
  | { ok: false; reason: string };

export interface ComponentContext {
  text: string;
  attachments: string[];
}

export function buildComponents(template: KnownTemplate, values: ParameterValues, context: ComponentContext): BuiltComponents {
  const named = template.parameterFormat === 'NAMED';
  const label = templateKey(template);
  const textParameter = (key: string, text: string): TemplateSendParameter => ({ type: 'text', ...(named ? { parameter_name: key } : {}), text });
  const components: TemplateSendComponent[] = [];
  const parameters: ShownParameters = { body: [] };
  const attachmentsUsed: string[] = [];

  const header = template.header;
  if (header?.format === 'TEXT') {
    const key = placeholderKeys(header.text ?? '', template.parameterFormat)[0];
    if (key !== undefined) {
      const value = values.header ?? values.headerFromText?.[key] ?? (named ? values.body[key] : undefined);
      if (!value) return { ok: false, reason: `template ${label} needs a header parameter {{${key}}}: include the header line in the text or set "header" in a rule` };
      components.push({ type: 'header', parameters: [textParameter(key, value)] });
      parameters.header = value;
    }
  } else if (header?.format === 'LOCATION') {
    return { ok: false, reason: `template ${label} has a location header, which this app does not fill` };
  } else if (header) {
    const kind = header.format === 'IMAGE' ? 'image' : header.format === 'VIDEO' ? 'video' : 'document';
    const attachment = context.attachments.find((link) => mediaTypeForUrl(link) === kind);
    const link = values.header ?? attachment ?? header.fixedMediaUrl;
    if (!link || !/^https?:\/\//i.test(link)) {
      return { ok: false, reason: `template ${label} needs a ${kind} header: attach one, or set "header" to a link in a rule` };
    }
    if (!values.header && link === attachment) attachmentsUsed.push(link);
    const media: TemplateSendParameter =
      kind === 'image' ? { type: 'image', image: { link } } : kind === 'video' ? { type: 'video', video: { link } } : { type: 'document', document: { link } };
    components.push({ type: 'header', parameters: [media] });
    parameters.header = link;
  }

  const keys = placeholderKeys(template.body, template.parameterFormat);
  const missing = keys.filter((key) => !values.body[key]);
  if (missing.length > 0) {
    return { ok: false, reason: `template ${label} needs body parameter${missing.length > 1 ? 's' : ''} ${missing.map((key) => `{{${key}}}`).join(', ')}, which ${missing.length > 1 ? 'were' : 'was'} not provided` };
  }
  if (keys.length > 0) components.push({ type: 'body', parameters: keys.map((key) => textParameter(key, values.body[key] as string)) });
  parameters.body = keys.map((key) => values.body[key] as string);
  if (named && keys.length > 0) parameters.bodyNames = keys;

  for (const button of template.buttons) {
    const index = String(button.index);
    const given = values.buttons?.[index];
    let component: TemplateSendComponent | undefined;
    if (button.type === 'URL' && button.url?.includes('{{')) {
      const suffix = given ?? urlSuffixFromText(button.url, context.text);
      if (!suffix) return { ok: false, reason: `template ${label} needs the link suffix of button ${index} ("${button.text}"): put the full link in the text or set it in a rule` };
      component = { type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: suffix }] };
    } else if (button.type === 'QUICK_REPLY' && given) {
      component = { type: 'button', sub_type: 'quick_reply', index, parameters: [{ type: 'payload', payload: given }] };
    } else if (button.type === 'COPY_CODE') {
      if (!given) return { ok: false, reason: `template ${label} needs the code of button ${index} ("${button.text}"): set it in a rule` };
      component = { type: 'button', sub_type: 'copy_code', index, parameters: [{ type: 'coupon_code', coupon_code: given }] };
    }
    if (!component) continue;
    components.push(component);
    const value = component.parameters[0];
    parameters.buttons = { ...parameters.buttons, [index]: value?.type === 'text' ? value.text : value?.type === 'payload' ? value.payload : given ?? '' };
  }
  return { ok: true, components, parameters, attachmentsUsed };
}

/** "https://x.test/r/{{1}}" and a text with "https://x.test/r/abc123." → "abc123". */
export function urlSuffixFromText(buttonUrl: string, text: string): string | undefined {
  const prefix = buttonUrl.slice(0, buttonUrl.indexOf('{{'));
  for (const [link] of text.matchAll(/https?:\/\/[^\s<>"]+/gi)) {
    const clean = link.replace(/[.,;:!?)\]]+$/, '');
    if (clean.startsWith(prefix) && clean.length > prefix.length) return clean.slice(prefix.length);
  }
  return undefined;
}
