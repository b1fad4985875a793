import { placeholderKeys, templateParts } from '../../src/domain/templateDefinitions';
import { matchOneTemplate, matchTemplateText, normalizeText, type MatchResult } from '../../src/domain/templateMatching';
import { knownTemplates, templateCases, type ExpectedMatch } from '../support/templateCases';

const templates = knownTemplates();

/** The matcher's answer in the table's terms: template key and values in Meta's parameter order. */
function summarize(result: MatchResult): ExpectedMatch {
  if (result.kind === 'none') return { none: result.code };
  const { template, body, header } = result.match;
  const summary: ExpectedMatch = { template: `${template.name}/${template.language}`, body: placeholderKeys(template.body, template.parameterFormat).map((key) => body[key] ?? '') };
  if (template.header?.format === 'TEXT') summary.header = placeholderKeys(template.header.text ?? '', template.parameterFormat).flatMap((key) => (header[key] ? [header[key]] : []));
  return summary;
}

describe('template matching: the case table', () => {
  it('has at least 30 cases', () => {
    expect(templateCases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(templateCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const result = matchTemplateText(testCase.text, templates, { contact: testCase.contactLanguage, location: testCase.locationLanguage });
    expect(summarize(result)).toEqual(testCase.expected);
  });
});

describe('template matching: details', () => {
  it('normalises whitespace, line breaks, variation selectors, smart quotes and the ellipsis', () => {
    expect(normalizeText('  “Hi”\r\n\t‘there’…  ❤️ ')).toBe('"Hi" \'there\'... ❤');
  });

  it('keeps parameter values as the sender wrote them (quotes, emoji), on one line', () => {
    const [storeHours] = knownTemplates([{ name: 'store_hours', language: 'en_US', components: [{ type: 'BODY', text: 'We’re open {{1}} – see you then!' }] }]);
    const result = matchOneTemplate('We’re open “late” ❤️\nnights – see you then!', storeHours!);
    expect(result).toMatchObject({ kind: 'match', match: { body: { '1': '“late” ❤️ nights' } } });
  });

  it('explains why nothing matched, naming the candidates', () => {
    expect(matchTemplateText('Thanks Ana, see you soon!', templates)).toMatchObject({
      kind: 'none',
      code: 'ambiguous_template',
      candidates: ['thanks_a/en_US', 'thanks_b/en_US'],
      reason: expect.stringContaining('thanks_a/en_US, thanks_b/en_US'),
    });
    expect(matchTemplateText('Your subscription Gold was renewed.', templates)).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('subscription_renewed/en_US (PAUSED)'),
    });
    expect(matchTemplateText('Hello', [])).toMatchObject({ kind: 'none', code: 'no_template_match', reason: expect.stringContaining('sync the templates') });
  });

  it('counts wildcard characters so the most specific template can win', () => {
    const result = matchTemplateText('Hi Bo, your appointment is on Friday at 9.', templates);
    expect(result).toMatchObject({ kind: 'match', match: { wildcardChars: 'Bo'.length + 'Friday'.length + '9'.length } });
  });

  it('requires a repeated named parameter to carry the same value both times', () => {
    const [echo] = knownTemplates([{ name: 'echo', language: 'en', parameter_format: 'NAMED', components: [{ type: 'BODY', text: '{{who}} said hi to {{who}}.' }] }]);
    expect(matchOneTemplate('Ana said hi to Ana.', echo!)).toMatchObject({ kind: 'match', match: { body: { who: 'Ana' } } });
    expect(matchOneTemplate('Ana said hi to Bo.', echo!)).toEqual({ kind: 'no_match' });
  });

  it('handles adjacent placeholders without looping', () => {
    const [joined] = knownTemplates([{ name: 'joined', language: 'en', components: [{ type: 'BODY', text: 'Code {{1}}{{2}} ok' }] }]);
    expect(matchOneTemplate('Code ABC ok', joined!)).toEqual({ kind: 'ambiguous', wildcardChars: 3 });
    expect(matchOneTemplate('Code AB ok', joined!)).toMatchObject({ kind: 'match', match: { body: { '1': 'A', '2': 'B' } } });
    expect(matchOneTemplate('Code A ok', joined!)).toEqual({ kind: 'no_match' });
  });

  it('decides a long text against hundreds of similar templates (speed: npm run bench:matching)', () => {
    const many = knownTemplates(
      Array.from({ length: 300 }, (_, i) => ({ name: `t${i}`, language: 'en', components: [{ type: 'BODY', text: `Hi {{1}} {{2}} {{3}} and {{4}} {{5}} number ${i} {{6}}.` }] })),
    );
    const words = Array.from({ length: 700 }, (_, i) => `w${i}`).join(' ');
    expect(matchTemplateText(`Hi ${words} and x y number 5 end.`, many)).toMatchObject({ kind: 'none', code: 'ambiguous_template', candidates: ['t5/en'] });
    expect(matchTemplateText(`Hi ${words} number 7 end.`, many)).toMatchObject({ kind: 'none', code: 'no_template_match' });
  });

  it('reads header, body, footer and buttons from Meta components', () => {
    expect(
      templateParts([
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://cdn.example.com/h.jpg'] } },
        { type: 'BODY', text: 'Hi {{1}}' },
        { type: 'FOOTER', text: 'Bye' },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Open', url: 'https://x.test/{{1}}' }, { type: 'QUICK_REPLY', text: 'Stop' }] },
      ]),
    ).toEqual({
      body: 'Hi {{1}}',
      header: { format: 'IMAGE' },
      footer: 'Bye',
      buttons: [
        { index: 0, type: 'URL', text: 'Open', url: 'https://x.test/{{1}}' },
        { index: 1, type: 'QUICK_REPLY', text: 'Stop' },
      ],
    });
  });
});
