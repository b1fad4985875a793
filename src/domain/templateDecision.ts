import type { TemplateMessage } from './outboundContent';
import { buildComponents, type ParameterValues, type ShownParameters } from './templateComponents';
import { placeholderKeys, templateKey, type KnownTemplate } from './templateDefinitions';
import { extractDirective, type Directive } from './templateDirective';
import { languageRank, matchOneTemplate, matchTemplateText, type LanguagePreference, type NoMatchCode } from './templateMatching';
import { evaluateExpression, findRule, type ExpressionScope, type RuleHit, type TemplateRule } from './templateRules';

/**
 * THE template decision (pure): free text, a template with its send components, or none with a reason.
 * Order: a #wa: directive (always wins) → the first matching rule → the 24-hour window → automatic matching.
 * Inside the window the text goes as free text unless a directive or a rule with whenWindowOpen 'template'
 * forces the template. The delivery plan and the admin dry-run reach it through the same code
 * (src/store/templateContext.ts).
 */

export interface TemplateDecisionInput {
  /** The rendered HighLevel text, directive included. */
  text: string;
  attachments?: string[];
  windowOpen: boolean;
  /** All of the location's templates, approved or not (a blocked match gets a precise reason). */
  templates: KnownTemplate[];
  rules: TemplateRule[];
  contact?: { fields?: Record<string, string>; language?: string | null };
  locationLanguage?: string | null;
}

export type TemplateDecisionCode = NoMatchCode | 'template_not_found' | 'template_parameters' | 'directive_conflict' | 'empty_text';

export type TemplateSource = 'rule' | 'directive' | 'match';

export type TemplateDecision =
  | { kind: 'free_text'; text: string; reason: string }
  | {
      kind: 'template';
      /** The text with the directive stripped (what the template stands for; for the ledger). */
      text: string;
      source: TemplateSource;
      template: TemplateMessage;
      parameters: ShownParameters;
      /** Attachments sent as the template's media header: not to be sent again as separate parts. */
      attachmentsUsed: string[];
      ruleId?: string;
      reason: string;
    }
  | { kind: 'none'; text: string; code: TemplateDecisionCode; reason: string };

type None = Extract<TemplateDecision, { kind: 'none' }>;

export function decideTemplate(input: TemplateDecisionInput): TemplateDecision {
  const { text, directive, conflict } = extractDirective(input.text);
  const preference: LanguagePreference = { contact: input.contact?.language, location: input.locationLanguage };
  const none = (code: TemplateDecisionCode, reason: string): None => ({ kind: 'none', text, code, reason });
  const ctx: Context = { input, text, preference, none };
  if (conflict) return none('directive_conflict', conflict);
  if (directive) return byDirective(ctx, directive);

  const hit = findRule(input.rules, text);
  if (hit && !(input.windowOpen && hit.rule.whenWindowOpen !== 'template')) return byRule(ctx, hit);
  if (input.windowOpen) {
    const reason = hit ? `inside the 24-hour window; rule ${ruleName(hit.rule)} applies only outside it` : 'inside the 24-hour window: sent as free text';
    return { kind: 'free_text', text, reason };
  }
  if (!text) return none('empty_text', 'outside the 24-hour window, and the message has no text to match a template against');
  const matched = matchTemplateText(text, input.templates, preference);
  if (matched.kind === 'none') return none(matched.code, `outside the 24-hour window: ${matched.reason}`);
  const { template, body, header } = matched.match;
  return finish(ctx, template, { body, headerFromText: header }, 'match', `outside the 24-hour window; the text matches approved template ${templateKey(template)}`);
}

interface Context {
  input: TemplateDecisionInput;
  text: string;
  preference: LanguagePreference;
  none(code: TemplateDecisionCode, reason: string): None;
}

function byDirective(ctx: Context, directive: Directive): TemplateDecision {
  const label = `#wa:${directive.name}${directive.language ? `:${directive.language}` : ''}`;
  const candidates = namedCandidates(ctx, directive.name, directive.language, label);
  if (!Array.isArray(candidates)) return candidates;
  return matchNamed(ctx, candidates, {}, 'directive', `the ${label} directive chose template`, label);
}

function byRule(ctx: Context, hit: RuleHit): TemplateDecision {
  const { rule } = hit;
  const label = `rule ${ruleName(rule)}`;
  const candidates = namedCandidates(ctx, rule.template.name, rule.template.language ?? undefined, label);
  if (!Array.isArray(candidates)) return candidates;
  const scope: ExpressionScope = { groups: hit.groups, contact: ctx.input.contact?.fields ?? {}, text: ctx.text, rest: hit.rest };
  const missing: string[] = [];
  const evaluate = (expression: string) => {
    const result = evaluateExpression(expression, scope);
    missing.push(...result.missing);
    return result.value;
  };
  const extras: Omit<ParameterValues, 'body'> = {
    ...(rule.parameters.header === undefined ? {} : { header: evaluate(rule.parameters.header) }),
    ...(rule.parameters.buttons ? { buttons: Object.fromEntries(Object.entries(rule.parameters.buttons).map(([index, expression]) => [index, evaluate(expression)])) } : {}),
  };
  const forced = ctx.input.windowOpen ? ' (forced inside the 24-hour window)' : '';
  if (rule.parameters.body === undefined) {
    if (missing.length > 0) return ctx.none('template_parameters', missingReason(label, missing));
    return matchNamed(ctx, candidates, extras, 'rule', `${label} chose template`, label, rule.id, forced);
  }
  const best = candidates.filter((candidate) => candidate.rank === candidates[0]?.rank);
  if (best.length > 1) {
    return ctx.none('ambiguous_template', `${label}: template ${rule.template.name} exists in ${best.map((c) => c.template.language).join(', ')}; set the language in the rule`);
  }
  const template = (candidates[0] as Candidate).template;
  const keys = placeholderKeys(template.body, template.parameterFormat);
  const given = rule.parameters.body;
  if (Array.isArray(given) && given.length !== keys.length) {
    return ctx.none('template_parameters', `${label} gives ${given.length} body parameter${given.length === 1 ? '' : 's'}, but template ${templateKey(template)} has ${keys.length}`);
  }
  const body = Array.isArray(given)
    ? Object.fromEntries(keys.map((key, index) => [key, evaluate(given[index] as string)]))
    : Object.fromEntries(Object.entries(given).map(([key, expression]) => [key, evaluate(expression)]));
  if (missing.length > 0) return ctx.none('template_parameters', missingReason(label, missing));
  return finish(ctx, template, { ...extras, body }, 'rule', `${label} chose template ${templateKey(template)}${forced}`, rule.id);
}

interface Candidate {
  template: KnownTemplate;
  rank: number;
}

/** The approved versions of a named template, best language first; or why there is none. */
function namedCandidates(ctx: Context, name: string, language: string | undefined, label: string): Candidate[] | None {
  const sameName = ctx.input.templates.filter((template) => template.name === name);
  const wanted = language ? sameName.filter((template) => template.language.toLowerCase() === language.toLowerCase()) : sameName;
  if (wanted.length === 0) {
    const known = sameName.map((template) => template.language).join(', ');
    const reason = sameName.length > 0
      ? `${label}: template ${name} has no ${language} version (known: ${known})`
      : `${label}: template ${name} is not in this location's registry (check the name, or sync the templates)`;
    return ctx.none('template_not_found', reason);
  }
  const approved = wanted.filter((template) => template.status === 'APPROVED');
  if (approved.length === 0) {
    const states = wanted.map((template) => `${templateKey(template)} is ${template.status}`).join(', ');
    return ctx.none('template_not_approved', `${label}: ${states}; Meta does not allow sending it`);
  }
  return approved.map((template) => ({ template, rank: languageRank(template.language, ctx.preference) })).sort((a, b) => a.rank - b.rank);
}

/** The text must match the chosen template's body (that is where the parameters come from). */
function matchNamed(ctx: Context, candidates: Candidate[], extras: Omit<ParameterValues, 'body'>, source: TemplateSource, chose: string, label: string, ruleId?: string, suffix = ''): TemplateDecision {
  for (const rank of [...new Set(candidates.map((candidate) => candidate.rank))]) {
    const results = candidates.filter((c) => c.rank === rank).map((c) => ({ template: c.template, result: matchOneTemplate(ctx.text, c.template) }));
    const matching = results.filter((entry) => entry.result.kind !== 'no_match');
    if (matching.length === 0) continue;
    const first = matching[0] as (typeof matching)[number];
    if (matching.length > 1 || first.result.kind !== 'match') {
      const names = matching.map((entry) => templateKey(entry.template)).join(', ');
      return ctx.none('ambiguous_template', `${label}: the text fits ${names} in more than one way; set the language or the parameters in a rule`);
    }
    const { body, header } = first.result.match;
    return finish(ctx, first.template, { ...extras, body, headerFromText: header }, source, `${chose} ${templateKey(first.template)}${suffix}`, ruleId);
  }
  const names = candidates.map((candidate) => templateKey(candidate.template)).join(', ');
  return ctx.none('no_template_match', `${label}: the text does not match the body of template ${names}`);
}

function finish(ctx: Context, template: KnownTemplate, values: ParameterValues, source: TemplateSource, reason: string, ruleId?: string): TemplateDecision {
  const built = buildComponents(template, values, { text: ctx.text, attachments: ctx.input.attachments ?? [] });
  if (!built.ok) return ctx.none('template_parameters', built.reason);
  return {
    kind: 'template',
    text: ctx.text,
    source,
    template: { name: template.name, language: template.language, category: template.category, components: built.components },
    parameters: built.parameters,
    attachmentsUsed: built.attachmentsUsed,
    ...(ruleId ? { ruleId } : {}),
    reason,
  };
}

function ruleName(rule: TemplateRule): string {
  return rule.label ? `"${rule.label}"` : rule.id;
}

function missingReason(label: string, missing: string[]): string {
  const list = [...new Set(missing)].map((reference) => `{{${reference}}}`).join(', ');
  return `${label}: ${list} ${missing.length > 1 ? 'are' : 'is'} empty for this message and ${missing.length > 1 ? 'have' : 'has'} no fallback`;
}
