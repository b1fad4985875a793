import { decideTemplate, type TemplateDecision, type TemplateDecisionInput } from '../../src/domain/templateDecision';
import { describeTemplateError, isTemplateError } from '../../src/domain/templateErrors';
import type { TemplateRule } from '../../src/domain/templateRules';
import { knownTemplates, templateCases, templateDefinitions } from '../support/templateCases';

const templates = knownTemplates([
  ...templateDefinitions,
  {
    name: 'promo_image',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://cdn.example.com/sample.jpg'] } },
      { type: 'BODY', text: 'New offers for you, {{1}}!' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop', url: 'https://shop.example.com/o/{{1}}' }, { type: 'QUICK_REPLY', text: 'Stop promos' }] },
    ],
  },
  {
    name: 'coupon',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Your coupon is ready, {{1}}.' }, { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE10' }] }],
  },
]);

const reminderRule: TemplateRule = {
  id: 'rule-1',
  label: 'appointment reminders',
  priority: 10,
  enabled: true,
  pattern: { kind: 'regex', source: '^Reminder: (?<date>.+) at (?<time>\\S+)$' },
  template: { name: 'appointment_reminder', language: 'en_US' },
  parameters: { body: ['{{contact.first_name|there}}', '{{match.date}}', '{{match.time}}'] },
  whenWindowOpen: 'free_text',
};

const decide = (overrides: Partial<TemplateDecisionInput>): TemplateDecision =>
  decideTemplate({ text: '', windowOpen: false, templates, rules: [], ...overrides });

describe('template decision: the case table outside the window', () => {
  it.each(templateCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const decision = decide({ text: testCase.text, contact: { language: testCase.contactLanguage ?? null }, locationLanguage: testCase.locationLanguage ?? null });
    if ('none' in testCase.expected || testCase.decisionNone) {
      expect(decision).toMatchObject({ kind: 'none', code: testCase.decisionNone ?? ('none' in testCase.expected ? testCase.expected.none : '') });
      expect((decision as { reason: string }).reason).toMatch(/^outside the 24-hour window: |^template /);
      return;
    }
    const [name, language] = testCase.expected.template.split('/');
    expect(decision).toMatchObject({ kind: 'template', source: 'match', template: { name, language }, parameters: { body: testCase.expected.body } });
  });
});

describe('template decision: window, directive and rules', () => {
  it('sends free text inside the window and the exact Meta components outside it', () => {
    const text = 'Hi Ana, your appointment is on May 3 at 10:00.';
    expect(decide({ text, windowOpen: true })).toEqual({ kind: 'free_text', text, reason: 'inside the 24-hour window: sent as free text' });
    expect(decide({ text })).toEqual({
      kind: 'template',
      text,
      source: 'match',
      template: {
        name: 'appointment_reminder',
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'May 3' }, { type: 'text', text: '10:00' }] }],
      },
      parameters: { body: ['Ana', 'May 3', '10:00'] },
      attachmentsUsed: [],
      reason: 'outside the 24-hour window; the text matches approved template appointment_reminder/en_US',
    });
  });

  it('names the parameters of a named template', () => {
    const decision = decide({ text: 'Hello Ana, your order A-1 has shipped. Track it here: https://t.example/A-1' });
    expect(decision).toMatchObject({
      template: {
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'first_name', text: 'Ana' },
              { type: 'text', parameter_name: 'order_id', text: 'A-1' },
              { type: 'text', parameter_name: 'tracking_url', text: 'https://t.example/A-1' },
            ],
          },
        ],
      },
      parameters: { bodyNames: ['first_name', 'order_id', 'tracking_url'] },
    });
  });

  it('fails with a reason that names the cause when nothing matches outside the window', () => {
    expect(decide({ text: 'Call us back please' })).toEqual({
      kind: 'none',
      text: 'Call us back please',
      code: 'no_template_match',
      reason: expect.stringMatching(/^outside the 24-hour window: no approved WhatsApp template matches the text \(\d+ approved templates checked\)$/),
    });
    expect(decide({ text: '  ' })).toMatchObject({ kind: 'none', code: 'empty_text' });
  });

  it('obeys a directive even inside the window, and strips it', () => {
    const decision = decide({ text: '#wa:appointment_reminder:es\nHola Ana, tu cita es el lunes a las 9.', windowOpen: true });
    expect(decision).toMatchObject({
      kind: 'template',
      source: 'directive',
      text: 'Hola Ana, tu cita es el lunes a las 9.',
      template: { name: 'appointment_reminder', language: 'es' },
      parameters: { body: ['Ana', 'lunes', '9'] },
      reason: 'the #wa:appointment_reminder:es directive chose template appointment_reminder/es',
    });
  });

  it('uses a directive to pick an all-parameter template the matcher never guesses', () => {
    expect(decide({ text: '#wa:generic_message Anything at all' })).toMatchObject({ kind: 'template', template: { name: 'generic_message' }, parameters: { body: ['Anything at all'] } });
  });

  it.each([
    ['#wa:nope Hi', 'template_not_found', '#wa:nope: template nope is not in this location\'s registry (check the name, or sync the templates)'],
    ['#wa:appointment_reminder:fr Salut', 'template_not_found', '#wa:appointment_reminder:fr: template appointment_reminder has no fr version (known: en_US, es, pt_BR)'],
    ['#wa:subscription_renewed Your subscription Gold was renewed.', 'template_not_approved', '#wa:subscription_renewed: subscription_renewed/en_US is PAUSED; Meta does not allow sending it'],
    ['#wa:appointment_generic Hello there', 'no_template_match', '#wa:appointment_generic: the text does not match the body of template appointment_generic/en_US'],
    ['#wa:a Hi #wa:b', 'directive_conflict', 'the text has several #wa: directives naming different templates (a, b)'],
  ])('explains a directive that cannot be followed: %j', (text, code, reason) => {
    expect(decide({ text })).toMatchObject({ kind: 'none', code, reason });
  });

  it('lets a rule win over matching, filling parameters from groups and contact fields', () => {
    const decision = decide({ text: 'Reminder: May 3 at 10:00', rules: [reminderRule], contact: { fields: { first_name: 'Ana' } } });
    expect(decision).toMatchObject({
      kind: 'template',
      source: 'rule',
      ruleId: 'rule-1',
      parameters: { body: ['Ana', 'May 3', '10:00'] },
      reason: 'rule "appointment reminders" chose template appointment_reminder/en_US',
    });
    expect(decide({ text: 'Reminder: May 3 at 10:00', rules: [reminderRule] })).toMatchObject({ parameters: { body: ['there', 'May 3', '10:00'] } });
  });

  it('sends free text inside the window unless the rule forces its template', () => {
    const text = 'Reminder: May 3 at 10:00';
    expect(decide({ text, rules: [reminderRule], windowOpen: true })).toMatchObject({ kind: 'free_text', reason: expect.stringContaining('rule "appointment reminders" applies only outside it') });
    expect(decide({ text, rules: [{ ...reminderRule, whenWindowOpen: 'template' }], windowOpen: true })).toMatchObject({
      kind: 'template',
      reason: expect.stringContaining('(forced inside the 24-hour window)'),
    });
  });

  it('explains rule parameters that do not fit', () => {
    const twoOnly = { ...reminderRule, parameters: { body: ['{{match.date}}', '{{match.time}}'] } };
    expect(decide({ text: 'Reminder: May 3 at 10:00', rules: [twoOnly] })).toMatchObject({
      code: 'template_parameters',
      reason: 'rule "appointment reminders" gives 2 body parameters, but template appointment_reminder/en_US has 3',
    });
    const strict = { ...reminderRule, parameters: { body: ['{{contact.first_name}}', '{{match.date}}', '{{match.time}}'] } };
    expect(decide({ text: 'Reminder: May 3 at 10:00', rules: [strict] })).toMatchObject({
      code: 'template_parameters',
      reason: 'rule "appointment reminders": {{contact.first_name}} is empty for this message and has no fallback',
    });
  });

  it('matches the text against the rule’s template when the rule gives no body parameters', () => {
    const prefixRule: TemplateRule = { ...reminderRule, pattern: { kind: 'prefix', value: 'Hola' }, template: { name: 'appointment_reminder' }, parameters: {} };
    expect(decide({ text: 'Hola Ana, tu cita es el lunes a las 9.', rules: [prefixRule] })).toMatchObject({
      source: 'rule',
      template: { language: 'es' },
      parameters: { body: ['Ana', 'lunes', '9'] },
    });
  });

  it('fills a media header from an attachment, a URL button from the link in the text, a quick reply from the rule', () => {
    const rule: TemplateRule = { ...reminderRule, pattern: { kind: 'prefix', value: 'New offers' }, template: { name: 'promo_image' }, parameters: { buttons: { '1': 'STOP_PROMOS' } } };
    const decision = decide({
      text: 'New offers for you, Ana! https://shop.example.com/o/xyz789.',
      attachments: ['https://cdn.example.com/doc.pdf', 'https://cdn.example.com/offer.png'],
      rules: [rule],
    });
    expect(decision).toMatchObject({ kind: 'none', code: 'no_template_match' });

    const inBody = decide({ text: '#wa:promo_image New offers for you, Ana https://shop.example.com/o/xyz789!', attachments: ['https://cdn.example.com/offer.png'] });
    expect(inBody).toMatchObject({
      kind: 'template',
      template: {
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/offer.png' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana https://shop.example.com/o/xyz789' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'xyz789' }] },
        ],
      },
      attachmentsUsed: ['https://cdn.example.com/offer.png'],
    });
    // No attachment and no header in the rule: never Meta's review sample (example.header_handle) instead.
    expect(decide({ text: 'New offers for you, Ana https://shop.example.com/o/q1!', rules: [rule] })).toMatchObject({
      kind: 'none',
      code: 'template_parameters',
      reason: 'template promo_image/en_US needs a image header: attach one, or set "header" to a link in a rule',
    });
    const withRule = decide({ text: 'New offers for you, Ana https://shop.example.com/o/q1!', rules: [{ ...rule, parameters: { ...rule.parameters, header: 'https://cdn.example.com/offer.png' } }] });
    expect(withRule).toMatchObject({
      parameters: { header: 'https://cdn.example.com/offer.png', buttons: { '0': 'q1', '1': 'STOP_PROMOS' } },
      attachmentsUsed: [],
    });
    expect((withRule as { template: { components: unknown[] } }).template.components.at(-1)).toEqual({
      type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP_PROMOS' }],
    });
  });

  it('needs a rule for a copy-code button and says so', () => {
    expect(decide({ text: 'Your coupon is ready, Ana.' })).toMatchObject({ code: 'template_parameters', reason: 'template coupon/en_US needs the code of button 0 (""): set it in a rule' });
  });
});

describe('template send errors', () => {
  it('names the template in the reason for the template-specific Meta errors', () => {
    expect(isTemplateError({ code: 132015 })).toBe(true);
    expect(isTemplateError({ code: 131047 })).toBe(false);
    expect(describeTemplateError({ code: 132015, httpStatus: 400 }, { name: 'appointment_reminder', language: 'en_US' })).toBe(
      'WhatsApp error 132015: the template is paused by Meta (template appointment_reminder/en_US)',
    );
  });
});
