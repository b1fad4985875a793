import {
  contactFieldsFrom,
  evaluateExpression,
  extractDirective,
  findRule,
  ruleProblems,
  type RuleDefinition,
  type TemplateRule,
} from '../../src/domain/templateRules';

const rule = (overrides: Partial<TemplateRule> = {}): TemplateRule => ({
  id: overrides.id ?? 'r1',
  priority: 100,
  enabled: true,
  pattern: { kind: 'regex', source: '^Reminder: (?<date>.+) at (?<time>\\S+)$' },
  template: { name: 'appointment_reminder' },
  parameters: { body: ['{{contact.first_name|there}}', '{{match.date}}', '{{match.time}}'] },
  whenWindowOpen: 'free_text',
  ...overrides,
});

describe('the #wa: directive', () => {
  it.each([
    ['#wa:appointment_reminder\nHi Ana, see you', 'Hi Ana, see you', { name: 'appointment_reminder' }],
    ['Hi Ana, see you #wa:appointment_reminder:es', 'Hi Ana, see you', { name: 'appointment_reminder', language: 'es' }],
    ['Hi Ana, #wa:Appointment_Reminder:pt_br see you', 'Hi Ana, see you', { name: 'appointment_reminder', language: 'pt_BR' }],
    ['Line one\n  #wa:promo  \nLine two', 'Line one\nLine two', { name: 'promo' }],
    ['#wa:promo #wa:promo Same twice', 'Same twice', { name: 'promo' }],
  ])('%j → text %j, directive %j', (input, text, directive) => {
    expect(extractDirective(input)).toEqual({ text, directive });
  });

  it('is not found inside links or words, and leaves such text alone', () => {
    expect(extractDirective('See https://x.test/#wa:promo and me#wa:promo')).toEqual({ text: 'See https://x.test/#wa:promo and me#wa:promo' });
  });

  it('reports two different templates as a conflict, stripping both', () => {
    expect(extractDirective('#wa:one Hello #wa:two')).toEqual({ text: 'Hello', conflict: expect.stringContaining('one, two') });
  });
});

describe('rule expressions', () => {
  const scope = { groups: { date: 'May 3', '1': 'May 3' }, contact: { first_name: 'Ana' }, text: 'whole text', rest: 'after' };

  it('fills group, contact, text and rest references and keeps literals', () => {
    expect(evaluateExpression('{{contact.firstName}} on {{ match.date }} ({{match.1}}) — {{rest}}/{{text}}', scope)).toEqual({
      value: 'Ana on May 3 (May 3) — after/whole text',
      missing: [],
    });
  });

  it('uses the fallback for an empty reference, and reports it missing when there is none', () => {
    expect(evaluateExpression('{{contact.last_name|friend}}', scope)).toEqual({ value: 'friend', missing: [] });
    expect(evaluateExpression('Dear {{contact.last_name}}', scope)).toEqual({ value: 'Dear', missing: ['contact.last_name'] });
  });

  it('maps HighLevel contact JSON to snake_case fields with a full name', () => {
    expect(contactFieldsFrom({ firstName: 'Ana', lastName: 'Lopez', companyName: 'Sunny', tags: ['x'], id: 'c1' })).toEqual({
      first_name: 'Ana',
      last_name: 'Lopez',
      company_name: 'Sunny',
      id: 'c1',
      full_name: 'Ana Lopez',
    });
  });
});

describe('rule validation', () => {
  const definition = (overrides: Partial<RuleDefinition>): RuleDefinition => {
    const { id: _id, ...rest } = rule(overrides);
    return rest;
  };

  it('accepts a valid regex rule', () => {
    expect(ruleProblems(definition({}))).toEqual([]);
  });

  it('explains bad patterns, flags, references and button keys', () => {
    expect(ruleProblems(definition({ pattern: { kind: 'regex', source: '(unclosed', flags: 'g' } }))).toEqual([
      'pattern.flags: only i, m, s and u are allowed (got "g")',
      expect.stringMatching(/^pattern.source: not a usable regular expression/),
      '{{match.date}}: the pattern has no group named "date"',
      '{{match.time}}: the pattern has no group named "time"',
    ]);
    expect(ruleProblems(definition({ pattern: { kind: 'prefix', value: '  ' }, parameters: { body: ['{{match.x}}', '{{foo}}'], buttons: { a: '1' } } }))).toEqual([
      'pattern.value: the prefix is empty',
      'parameters.buttons.a: button keys are indexes 0 … 9',
      '{{match.x}}: a prefix rule has no groups (use {{rest}})',
      '{{foo}}: unknown reference (use match.<group>, contact.<field>, text or rest)',
    ]);
  });
});

describe('finding the rule for a text', () => {
  it('runs enabled rules by priority on the normalised text', () => {
    const rules = [
      rule({ id: 'late', priority: 200 }),
      rule({ id: 'off', priority: 1, enabled: false }),
      rule({ id: 'first', priority: 50, pattern: { kind: 'prefix', value: 'reminder:' } }),
    ];
    expect(findRule(rules, 'Reminder:\n  May 3 at 10:00')).toMatchObject({ rule: { id: 'first' }, rest: 'May 3 at 10:00' });
    expect(findRule(rules.slice(0, 2), 'Reminder: May 3 at 10:00')).toMatchObject({ rule: { id: 'late' }, groups: { date: 'May 3', time: '10:00' } });
    expect(findRule(rules, 'Something else')).toBeUndefined();
  });

  it('skips a stored rule whose regex does not compile', () => {
    expect(findRule([rule({ pattern: { kind: 'regex', source: '(' } }), rule({ id: 'ok', pattern: { kind: 'prefix', value: 'Hi' } })], 'Hi')).toMatchObject({ rule: { id: 'ok' } });
  });
});
