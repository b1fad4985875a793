import { normalizeText } from './textNormalization';
import { compileRulePattern } from './rulePattern';

export { extractDirective } from './templateDirective';

/**
 * Explicit per-location rules: a pattern on the rendered text → a template and parameter expressions.
 * Rules see the text normalised like the matcher sees it (whitespace runs and line breaks as one space,
 * smart quotes straightened) and win over automatic matching. See docs/templates.md.
 */

export type RulePattern = { kind: 'regex'; source: string; flags?: string } | { kind: 'prefix'; value: string };

export interface RuleParameters {
  /** Positional templates: one expression per {{1}}, {{2}} …; named templates: an object by parameter name. Omitted: matched from the text. */
  body?: string[] | Record<string, string>;
  /** Header text parameter, or the link of a media header. */
  header?: string;
  /** By button index ('0' … '9'): URL suffix, quick-reply payload or coupon code. */
  buttons?: Record<string, string>;
}

export interface TemplateRule {
  id: string;
  label?: string | null;
  /** Lower runs first. */
  priority: number;
  enabled: boolean;
  pattern: RulePattern;
  template: { name: string; language?: string | null };
  parameters: RuleParameters;
  /** Inside the 24-hour window: send the text as free text (default) or still force the template. */
  whenWindowOpen: 'free_text' | 'template';
}

export type RuleDefinition = Omit<TemplateRule, 'id'>;

export interface ExpressionScope {
  /** Regex groups by name and by number ('0' is the whole match). */
  groups: Record<string, string>;
  /** Contact fields by snake_case name (first_name, last_name, full_name, email, phone, company_name …). */
  contact: Record<string, string>;
  /** The whole text, directive stripped. */
  text: string;
  /** What follows the prefix of a prefix rule (the text after the match for a regex rule). */
  rest: string;
}

export interface RuleHit {
  rule: TemplateRule;
  groups: Record<string, string>;
  rest: string;
}

const REFERENCE = /\{\{\s*([^{}|]+?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;
const ALLOWED_FLAGS = /^[imsu]*$/;

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[\s-]+/g, '_').toLowerCase();
}

function referenceProblem(reference: string, rule: RuleDefinition): string | undefined {
  if (reference === 'text' || reference === 'rest') return undefined;
  const [namespace, ...path] = reference.split('.');
  const name = path.join('.');
  if (namespace === 'contact' && name) return undefined;
  if (namespace === 'match' && name) {
    if (rule.pattern.kind === 'prefix') return `{{${reference}}}: a prefix rule has no groups (use {{rest}})`;
    if (/^\d+$/.test(name) || namedGroups(rule.pattern.source).includes(name)) return undefined;
    return `{{${reference}}}: the pattern has no group named "${name}"`;
  }
  return `{{${reference}}}: unknown reference (use match.<group>, contact.<field>, text or rest)`;
}

function namedGroups(source: string): string[] {
  return Array.from(source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g), (match) => match[1] ?? '');
}

export function ruleExpressions(rule: Pick<RuleDefinition, 'parameters'>): string[] {
  const { body, header, buttons } = rule.parameters;
  return [...(Array.isArray(body) ? body : Object.values(body ?? {})), ...(header === undefined ? [] : [header]), ...Object.values(buttons ?? {})];
}

/** Everything wrong with a rule definition, in words an operator can act on (empty when valid). */
export function ruleProblems(rule: RuleDefinition): string[] {
  const problems: string[] = [];
  if (rule.pattern.kind === 'regex') {
    const flags = rule.pattern.flags ?? '';
    if (!ALLOWED_FLAGS.test(flags)) problems.push(`pattern.flags: only i, m, s and u are allowed (got "${flags}")`);
    const compiled = compileRulePattern(rule.pattern.source, flags.replace(/[^imsu]/g, ''));
    if ('problem' in compiled) problems.push(`pattern.source: not a usable regular expression: ${compiled.problem}`);
  } else if (!normalizeText(rule.pattern.value)) {
    problems.push('pattern.value: the prefix is empty');
  }
  for (const key of Object.keys(rule.parameters.buttons ?? {})) {
    if (!/^\d$/.test(key)) problems.push(`parameters.buttons.${key}: button keys are indexes 0 … 9`);
  }
  for (const expression of ruleExpressions(rule)) {
    for (const match of expression.matchAll(REFERENCE)) {
      const problem = referenceProblem(match[1] ?? '', rule);
      if (problem && !(problems.includes(problem) || problems.length > 20)) problems.push(problem);
    }
  }
  return problems;
}

export function usesContactFields(rule: Pick<RuleDefinition, 'parameters'>): boolean {
  return ruleExpressions(rule).some((expression) => /\{\{\s*contact\./.test(expression));
}

/** Fills an expression; a reference that is empty and has no `| fallback` is reported missing. */
export function evaluateExpression(expression: string, scope: ExpressionScope): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = expression.replace(REFERENCE, (_whole, reference: string, fallback: string | undefined) => {
    const found = lookup(reference, scope).trim();
    if (found) return found;
    if (fallback !== undefined) return fallback;
    missing.push(reference);
    return '';
  });
  return { value: value.replace(/\s+/g, ' ').trim(), missing };
}

function lookup(reference: string, scope: ExpressionScope): string {
  if (reference === 'text') return scope.text;
  if (reference === 'rest') return scope.rest;
  const [namespace, ...path] = reference.split('.');
  const name = path.join('.');
  if (namespace === 'match') return scope.groups[name] ?? '';
  if (namespace === 'contact') return scope.contact[snakeCase(name)] ?? '';
  return '';
}

/** The first enabled rule (by priority, then the given order) whose pattern matches the normalised text. */
export function findRule(rules: TemplateRule[], text: string): RuleHit | undefined {
  const normalized = normalizeText(text);
  const ordered = rules.map((rule, order) => ({ rule, order })).sort((a, b) => a.rule.priority - b.rule.priority || a.order - b.order);
  for (const { rule } of ordered) {
    if (!rule.enabled) continue;
    if (rule.pattern.kind === 'prefix') {
      const prefix = normalizeText(rule.pattern.value);
      if (prefix && normalized.toLowerCase().startsWith(prefix.toLowerCase())) {
        return { rule, groups: {}, rest: normalized.slice(prefix.length).trim() };
      }
      continue;
    }
    const pattern = compileRulePattern(rule.pattern.source, (rule.pattern.flags ?? '').replace(/[^imsu]/g, ''));
    if ('problem' in pattern) continue; // rejected when saved; a bad row must not stop the other rules
    const match = pattern.exec(normalized);
    if (!match) continue;
    return { rule, groups: match.groups, rest: normalized.slice(match.index + match.length).trim() };
  }
  return undefined;
}

/** HighLevel contact fields (camelCase JSON) as the snake_case names rule expressions use. */
export function contactFieldsFrom(contact: Record<string, unknown> | null | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') fields[snakeCase(key)] = String(value);
  }
  const fullName = fields.name ?? [fields.first_name, fields.last_name].filter(Boolean).join(' ');
  if (fullName && !fields.full_name) fields.full_name = fullName;
  return fields;
}
