import { describeMetaError } from './metaErrors';
import type { ProviderError } from './providerErrors';

/** Meta's errors about the template itself (whatsapp.md A.2): permanent for this template, fixed by the operator. */
const TEMPLATE_ERRORS = new Set([132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069]);

export function isTemplateError(error: Pick<ProviderError, 'code'>): boolean {
  return TEMPLATE_ERRORS.has(error.code);
}

/** "WhatsApp error 132015: the template is paused by Meta (template appointment_reminder/en_US)". */
export function describeTemplateError(error: ProviderError, template: { name: string; language: string }): string {
  return `${describeMetaError(error)} (template ${template.name}/${template.language})`;
}
