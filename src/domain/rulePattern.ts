import { RE2JS } from 're2js';

/**
 * Rule patterns that operators type in run on every message: they are compiled with RE2's linear-time engine
 * (re2js), so no pattern can take exponential time ("(a+)+$" on 25 characters blocked the event loop for seconds
 * with JavaScript's backtracking engine), and they only ever see the first MAX_MATCHED_TEXT characters of a text.
 * Pure: used by the admin API (at save time and dry-run) and by the activities.
 */

/** A WhatsApp text holds 4096 characters; nothing longer needs a rule. */
export const MAX_MATCHED_TEXT = 4096;

export interface PatternMatch {
  index: number;
  length: number;
  /** "0" is the whole match, then the numbered groups, then the named ones. */
  groups: Record<string, string>;
}

export interface RulePattern {
  exec(text: string): PatternMatch | undefined;
}

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 };

/** The compiled pattern, or why it cannot be one (invalid, or beyond RE2: look-around, back-references). */
export function compileRulePattern(source: string, flags = ''): RulePattern | { problem: string } {
  if (/\(\?<?[=!]|\\[1-9]/.test(source)) return { problem: 'no look-around or back-references (patterns run on RE2, in linear time)' };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, [...flags].reduce((bits, flag) => bits | (FLAG_BITS[flag] ?? 0), 0));
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const named = Object.entries(compiled.namedGroups() as Record<string, number>);
  return {
    exec(text) {
      const matcher = compiled.matcher(text.slice(0, MAX_MATCHED_TEXT));
      if (!matcher.find()) return undefined;
      const groups: Record<string, string> = {};
      for (let index = 0; index <= matcher.groupCount(); index += 1) groups[String(index)] = matcher.group(index) ?? '';
      for (const [name, index] of named) groups[name] = matcher.group(index) ?? '';
      return { index: matcher.start(), length: matcher.end() - matcher.start(), groups };
    },
  };
}
