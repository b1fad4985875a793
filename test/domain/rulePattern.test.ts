import { MAX_MATCHED_TEXT, compileRulePattern, type RulePattern } from '../../src/domain/rulePattern';

const compiled = (source: string, flags = ''): RulePattern => {
  const pattern = compileRulePattern(source, flags);
  if ('problem' in pattern) throw new Error(pattern.problem);
  return pattern;
};

describe('rule patterns on RE2', () => {
  it('matches with numbered and named groups, and the flags operators use', () => {
    expect(compiled('^Reminder: (?<date>.+) at (?<time>\\S+)$', 'i').exec('reminder: May 3 at 10:00')).toEqual({
      index: 0,
      length: 24,
      groups: { '0': 'reminder: May 3 at 10:00', '1': 'May 3', '2': '10:00', date: 'May 3', time: '10:00' },
    });
    expect(compiled('^b', 'm').exec('a\nb')?.index).toBe(2);
    expect(compiled('a.b', 's').exec('a\nb')).toBeDefined();
  });

  it('runs a pattern that backtracks exponentially in JavaScript in linear time: no match, at once', () => {
    expect(compiled('(a+)+$').exec(`${'a'.repeat(4000)}b`)).toBeUndefined();
  });

  it('refuses what RE2 cannot express, saying so', () => {
    expect(compileRulePattern('(?<=Dear )\\w+')).toEqual({ problem: expect.stringContaining('no look-around or back-references') });
    expect(compileRulePattern('(a)\\1')).toEqual({ problem: expect.stringContaining('no look-around or back-references') });
  });

  it('sees only the first MAX_MATCHED_TEXT characters of a text', () => {
    expect(compiled('END$').exec(`${'x'.repeat(MAX_MATCHED_TEXT)}END`)).toBeUndefined();
    expect(compiled('^x+').exec('x'.repeat(MAX_MATCHED_TEXT + 10))?.length).toBe(MAX_MATCHED_TEXT);
  });
});
