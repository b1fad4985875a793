import type { TemplateMessage, TemplateSendParameter } from '../../domain/outboundContent';
import { placeholderKeys, splitPlaceholders, type KnownTemplate } from '../../domain/templateDefinitions';

/**
 * A template message's parameters as the ContentVariables of its Twilio Content template, keyed by the content's own
 * variables. Twilio has one variable namespace per content: the body's {{1}}, {{2}}, a media URL's {{3}} and a button
 * URL's {{4}} are the keys Twilio fills, whatever Meta's per-component numbering would be. `definition` is the synced
 * template (its body, header and buttons keep the content's placeholders).
 */

export type ContentVariablesResult = { ok: true; variables: Record<string, string> } | { ok: false; reason: string };

const mediaLink = (parameter: TemplateSendParameter | undefined): string | undefined =>
  parameter?.type === 'image' ? parameter.image.link : parameter?.type === 'video' ? parameter.video.link : parameter?.type === 'document' ? parameter.document.link : undefined;

const textOf = (parameter: TemplateSendParameter | undefined): string | undefined => (parameter?.type === 'text' ? parameter.text : undefined);

/**
 * The one variable of a media URL the content declares ("https://cdn.example.com/highlights/{{3}}") from the link the
 * message carries. The content's own sample URL (nothing chosen) sends no variable: Twilio falls back to the sample.
 * A fixed media URL cannot carry another link.
 */
function mediaVariable(declared: string | undefined, link: string, label: string): ContentVariablesResult {
  if (!declared || link === declared) return { ok: true, variables: {} };
  const { literals, placeholders } = splitPlaceholders(declared);
  const [key] = placeholders;
  const [prefix = '', suffix = ''] = literals;
  if (placeholders.length === 1 && key && link.startsWith(prefix) && link.endsWith(suffix) && link.length > prefix.length + suffix.length) {
    return { ok: true, variables: { [key]: link.slice(prefix.length, link.length - suffix.length) } };
  }
  return { ok: false, reason: `the Twilio content of template ${label} has the media URL ${declared}, which cannot carry ${link}` };
}

export function twilioContentVariables(template: TemplateMessage, definition: KnownTemplate): ContentVariablesResult {
  const label = `${template.name}/${template.language}`;
  const variables: Record<string, string> = {};
  for (const component of template.components) {
    if (component.type === 'body') {
      const keys = placeholderKeys(definition.body, definition.parameterFormat);
      component.parameters.forEach((parameter, index) => {
        const value = textOf(parameter);
        const key = (parameter.type === 'text' ? parameter.parameter_name : undefined) ?? keys[index];
        if (key !== undefined && value !== undefined) variables[key] = value;
      });
    } else if (component.type === 'header') {
      const parameter = component.parameters[0];
      const link = mediaLink(parameter);
      if (link !== undefined) {
        const media = mediaVariable(definition.header?.fixedMediaUrl, link, label);
        if (!media.ok) return media;
        Object.assign(variables, media.variables);
        continue;
      }
      const key = (parameter?.type === 'text' ? parameter.parameter_name : undefined) ?? placeholderKeys(definition.header?.text ?? '', definition.parameterFormat)[0];
      const value = textOf(parameter);
      if (key !== undefined && value !== undefined) variables[key] = value;
    } else if (component.type === 'button') {
      // A URL button's suffix fills the variable of its URL; quick-reply payloads and codes have no content variable.
      const button = definition.buttons.find((candidate) => String(candidate.index) === component.index);
      const key = button?.url ? splitPlaceholders(button.url).placeholders[0] : undefined;
      const value = textOf(component.parameters[0]);
      if (component.sub_type === 'url' && key !== undefined && value !== undefined) variables[key] = value;
    }
  }
  return { ok: true, variables };
}
