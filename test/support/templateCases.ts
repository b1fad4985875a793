import { templateParts, type KnownTemplate } from '../../src/domain/templateDefinitions';
import type { TemplateDefinition } from '@ghl-whatsapp/simulators';

/**
 * One table of template-matching cases, shared by the pure matcher's unit tests, the admin dry-run test and
 * the workflow-level agreement test. `templateDefinitions` are in Meta's shape (upsert them into the Meta
 * simulator and sync, or turn them into KnownTemplate with `knownTemplates`).
 */

const body = (text: string) => ({ type: 'BODY', text });

export const templateDefinitions: TemplateDefinition[] = [
  { name: 'appointment_reminder', language: 'en_US', components: [body('Hi {{1}}, your appointment is on {{2}} at {{3}}.')] },
  { name: 'appointment_reminder', language: 'es', components: [body('Hola {{1}}, tu cita es el {{2}} a las {{3}}.')] },
  { name: 'appointment_reminder', language: 'pt_BR', components: [body('Olá {{1}}, sua consulta é em {{2}} às {{3}}.')] },
  { name: 'appointment_generic', language: 'en_US', components: [body('Hi {{1}}, your appointment is on {{2}}.')] },
  {
    name: 'order_shipped',
    language: 'en_US',
    parameter_format: 'NAMED',
    components: [body('Hello {{first_name}}, your order {{order_id}} has shipped.\nTrack it here: {{tracking_url}}')],
  },
  { name: 'welcome', language: 'en_US', category: 'MARKETING', components: [body('Welcome to Sunny Dental ☀️ Reply STOP to opt out.')] },
  { name: 'birthday', language: 'en_US', category: 'MARKETING', components: [body('Happy birthday, {{1}}! 🎉')] },
  { name: 'store_hours', language: 'en_US', components: [body('We’re open {{1}} – see you then!')] },
  { name: 'dont_forget', language: 'en_US', components: [body("Don't forget your {{1}} appointment!")] },
  { name: 'thanks_a', language: 'en_US', components: [body('Thanks {{1}}, see you soon!')] },
  { name: 'thanks_b', language: 'en_US', components: [body('Thanks {{1}}, see you soon!')] },
  { name: 'verification_code', language: 'en_US', category: 'AUTHENTICATION', components: [body('Your code is {{1}}.')] },
  { name: 'verification_code', language: 'en_GB', category: 'AUTHENTICATION', components: [body('Your code is {{1}}.')] },
  { name: 'code_only', language: 'en', components: [body('Code: {{1}}')] },
  { name: 'code_only', language: 'es', components: [body('Code: {{1}}')] },
  {
    name: 'visit_reminder',
    language: 'en_US',
    components: [{ type: 'HEADER', format: 'TEXT', text: 'Reminder for {{1}}' }, body('Your visit is on {{1}}.'), { type: 'FOOTER', text: 'Sunny Dental' }],
  },
  { name: 'generic_message', language: 'en_US', components: [body('{{1}}')] },
  { name: 'subscription_renewed', language: 'en_US', status: 'PAUSED', components: [body('Your subscription {{1}} was renewed.')] },
  { name: 'meeting_confirmed', language: 'en_US', components: [body('Meeting with {{1}} {{2}} confirmed.')] },
  { name: 'invoice_ready', language: 'en_US', components: [body('Dear {{1}},\n\nYour invoice {{2}} is ready.\n\nThank you!')] },
  { name: 'booking_nudge', language: 'en_US', category: 'MARKETING', components: [body('Almost done… complete your booking: {{1}}')] },
];

export function knownTemplates(definitions: TemplateDefinition[] = templateDefinitions): KnownTemplate[] {
  return definitions.map((definition) => ({
    name: definition.name,
    language: definition.language,
    category: definition.category ?? 'UTILITY',
    status: definition.status ?? 'APPROVED',
    parameterFormat: definition.parameter_format ?? 'POSITIONAL',
    ...templateParts(definition.components),
  }));
}

export type ExpectedMatch =
  | { template: string; body: string[]; header?: string[] }
  | { none: 'no_template_match' | 'ambiguous_template' | 'template_not_approved' };

export interface TemplateCase {
  name: string;
  text: string;
  contactLanguage?: string;
  locationLanguage?: string;
  expected: ExpectedMatch;
  /** When the full decision (outside the window) ends differently from the matcher alone. */
  decisionNone?: 'template_parameters';
}

const reminder = { template: 'appointment_reminder/en_US', body: ['Ana', 'May 3', '10:00'] };

export const templateCases: TemplateCase[] = [
  { name: 'positional parameters, exact text', text: 'Hi Ana, your appointment is on May 3 at 10:00.', expected: reminder },
  { name: 'extra spaces and a line break inside', text: 'Hi  Ana,\nyour appointment is on May 3   at 10:00.', expected: reminder },
  { name: 'surrounding whitespace', text: '  \n Hi Ana, your appointment is on May 3 at 10:00.  \n', expected: reminder },
  { name: 'CRLF line endings', text: 'Hi Ana,\r\nyour appointment is on May 3 at 10:00.', expected: reminder },
  { name: 'no-break spaces and a zero-width space', text: 'Hi\u00A0Ana, your\u200B appointment is on May\u00A03 at 10:00.', expected: reminder },
  {
    name: 'multi-word parameters with commas',
    text: 'Hi Ana María, your appointment is on Tuesday, May 3 at 10:00 AM.',
    expected: { template: 'appointment_reminder/en_US', body: ['Ana María', 'Tuesday, May 3', '10:00 AM'] },
  },
  { name: 'emoji inside a parameter', text: 'Hi Ana 🌸, your appointment is on May 3 at 10:00.', expected: { template: 'appointment_reminder/en_US', body: ['Ana 🌸', 'May 3', '10:00'] } },
  { name: 'most specific wins over a shorter template', text: 'Hi Bo, your appointment is on Friday at 9.', expected: { template: 'appointment_reminder/en_US', body: ['Bo', 'Friday', '9'] } },
  { name: 'only the shorter template fits', text: 'Hi Ana, your appointment is on May 3.', expected: { template: 'appointment_generic/en_US', body: ['Ana', 'May 3'] } },
  { name: 'near miss: final period missing', text: 'Hi Ana, your appointment is on May 3 at 10:00', expected: { none: 'no_template_match' } },
  { name: 'near miss: different wording', text: 'Hi Ana, your appointment is tomorrow at 10:00.', expected: { none: 'no_template_match' } },
  { name: 'near miss: different letter case', text: 'hi Ana, your appointment is on May 3 at 10:00.', expected: { none: 'no_template_match' } },
  { name: 'near miss: trailing extra sentence', text: 'Hi Ana, your appointment is on May 3 at 10:00! See you', expected: { none: 'no_template_match' } },
  { name: 'near miss: empty parameter', text: 'Hi , your appointment is on May 3 at 10:00.', expected: { none: 'no_template_match' } },
  { name: 'Spanish', text: 'Hola Ana, tu cita es el 3 de mayo a las 10:00.', expected: { template: 'appointment_reminder/es', body: ['Ana', '3 de mayo', '10:00'] } },
  { name: 'Portuguese', text: 'Olá João, sua consulta é em 3 de maio às 10:00.', expected: { template: 'appointment_reminder/pt_BR', body: ['João', '3 de maio', '10:00'] } },
  {
    name: 'Portuguese typed with combining accents (NFD)',
    text: 'Olá João, sua consulta é em 3 de maio às 10:00.'.normalize('NFD'),
    expected: { template: 'appointment_reminder/pt_BR', body: ['João', '3 de maio', '10:00'] },
  },
  { name: 'never split a parameter across a literal ("a las" twice)', text: 'Hola Ana, tu cita es el 3 de mayo a las 10:00 a las 11:00.', expected: { none: 'no_template_match' } },
  {
    name: 'named parameters over two lines',
    text: 'Hello Ana, your order A-1001 has shipped.\nTrack it here: https://track.example.com/A-1001',
    expected: { template: 'order_shipped/en_US', body: ['Ana', 'A-1001', 'https://track.example.com/A-1001'] },
  },
  {
    name: 'named parameters with the line break typed as a space',
    text: 'Hello Ana, your order A-1001 has shipped. Track it here: https://track.example.com/A-1001',
    expected: { template: 'order_shipped/en_US', body: ['Ana', 'A-1001', 'https://track.example.com/A-1001'] },
  },
  { name: 'emoji without its variation selector', text: 'Welcome to Sunny Dental ☀ Reply STOP to opt out.', expected: { template: 'welcome/en_US', body: [] } },
  { name: 'emoji with an extra variation selector', text: 'Happy birthday, Ana! 🎉\uFE0F', expected: { template: 'birthday/en_US', body: ['Ana'] } },
  { name: 'straight apostrophe against a smart one', text: "We're open Monday to Friday – see you then!", expected: { template: 'store_hours/en_US', body: ['Monday to Friday'] } },
  { name: 'smart apostrophe against a straight one', text: 'Don’t forget your dental appointment!', expected: { template: 'dont_forget/en_US', body: ['dental'] } },
  { name: 'ellipsis typed as three dots', text: 'Almost done... complete your booking: https://b.example/x7', expected: { template: 'booking_nudge/en_US', body: ['https://b.example/x7'] } },
  { name: 'multi-line body with blank lines', text: 'Dear Ana,\n\nYour invoice INV-42 is ready.\n\nThank you!', expected: { template: 'invoice_ready/en_US', body: ['Ana', 'INV-42'] } },
  { name: 'multi-line body typed on single lines', text: 'Dear Ana,\nYour invoice INV-42 is ready.\nThank you!', expected: { template: 'invoice_ready/en_US', body: ['Ana', 'INV-42'] } },
  { name: 'ambiguous: two templates with the same body', text: 'Thanks Ana, see you soon!', expected: { none: 'ambiguous_template' } },
  { name: 'same body in two languages, no preference', text: 'Your code is 123456.', expected: { none: 'ambiguous_template' } },
  { name: "the contact's language decides", text: 'Your code is 123456.', contactLanguage: 'en_GB', expected: { template: 'verification_code/en_GB', body: ['123456'] } },
  { name: "the location's language decides", text: 'Your code is 123456.', locationLanguage: 'en_US', expected: { template: 'verification_code/en_US', body: ['123456'] } },
  {
    name: "the contact's language beats the location's",
    text: 'Your code is 123456.',
    contactLanguage: 'en_GB',
    locationLanguage: 'en_US',
    expected: { template: 'verification_code/en_GB', body: ['123456'] },
  },
  { name: 'same base language (es_MX → es)', text: 'Code: 4321', contactLanguage: 'es_MX', expected: { template: 'code_only/es', body: ['4321'] } },
  {
    name: 'header, body and footer pasted together',
    text: 'Reminder for Ana\nYour visit is on Friday.\nSunny Dental',
    expected: { template: 'visit_reminder/en_US', body: ['Friday'], header: ['Ana'] },
  },
  {
    name: 'body alone of a template with a header parameter',
    text: 'Your visit is on Friday.',
    expected: { template: 'visit_reminder/en_US', body: ['Friday'], header: [] },
    decisionNone: 'template_parameters',
  },
  { name: 'an all-parameter template is never guessed', text: 'Anything at all, really', expected: { none: 'no_template_match' } },
  { name: 'matches only a paused template', text: 'Your subscription Gold was renewed.', expected: { none: 'template_not_approved' } },
  { name: 'ambiguous split between two adjacent parameters', text: 'Meeting with Dr Ana Lopez confirmed.', expected: { none: 'ambiguous_template' } },
  { name: 'a unique split between two adjacent parameters', text: 'Meeting with Ana Lopez confirmed.', expected: { template: 'meeting_confirmed/en_US', body: ['Ana', 'Lopez'] } },
];
