import { splitPlaceholders, templateKey, type KnownTemplate } from './templateDefinitions';
import { splitOnLiterals, type SplitResult } from './templateSplit';
import { hasWordCharacters, normalizeWithMap, originalSlice, type NormalizedText } from './textNormalization';

export { normalizeText } from './textNormalization';

/**
 * Rendered text → approved template: the template's text with its parameters as wildcards must cover the
 * WHOLE text. The layouts tried are the body alone and the body with its text header and/or footer
 * (a sender may paste the whole template), each piece on its own line.
 */

export interface LanguagePreference {
  contact?: string | null;
  location?: string | null;
}

export interface TemplateMatch {
  template: KnownTemplate;
  /** Placeholder key ('1', '2' … or the name) → value as the sender wrote it. */
  body: Record<string, string>;
  header: Record<string, string>;
  /** Characters of the text covered by parameters: fewer means more specific. */
  wildcardChars: number;
}

export type SingleMatch = { kind: 'match'; match: TemplateMatch } | { kind: 'ambiguous'; wildcardChars: number } | { kind: 'no_match' };

export type NoMatchCode = 'no_template_match' | 'ambiguous_template' | 'template_not_approved';

export type MatchResult = { kind: 'match'; match: TemplateMatch } | { kind: 'none'; code: NoMatchCode; reason: string; candidates: string[] };

interface Slot {
  component: 'header' | 'body';
  key: string;
}

interface Layout {
  /** Normalised literals; literals[i] precedes slots[i]. */
  literals: string[];
  slots: Slot[];
  blocking?: RegExp[];
}

const layoutCache = new WeakMap<KnownTemplate, Layout[]>();

function layoutsOf(template: KnownTemplate): Layout[] {
  const cached = layoutCache.get(template);
  if (cached) return cached;
  const layouts = buildLayouts(template);
  layoutCache.set(template, layouts);
  return layouts;
}

function buildLayouts(template: KnownTemplate): Layout[] {
  const header = template.header?.format === 'TEXT' && template.header.text ? template.header.text : undefined;
  const pieces: Array<Array<{ component: 'header' | 'body' | 'footer'; text: string }>> = [[{ component: 'body', text: template.body }]];
  if (header) pieces.push([{ component: 'header', text: header }, { component: 'body', text: template.body }]);
  if (template.footer) {
    pieces.push([{ component: 'body', text: template.body }, { component: 'footer', text: template.footer }]);
    if (header) pieces.push([{ component: 'header', text: header }, { component: 'body', text: template.body }, { component: 'footer', text: template.footer }]);
  }
  return pieces.map((layout) => {
    const literals: string[] = [''];
    const slots: Slot[] = [];
    layout.forEach((piece, index) => {
      if (index > 0) literals[literals.length - 1] += '\n';
      const split = splitPlaceholders(piece.text);
      literals[literals.length - 1] += split.literals[0] ?? '';
      split.placeholders.forEach((key, i) => {
        slots.push({ component: piece.component === 'header' ? 'header' : 'body', key });
        literals.push(split.literals[i + 1] ?? '');
      });
    });
    const last = literals.length - 1;
    return {
      slots,
      literals: literals.map((literal, i) => {
        let text = normalizeWithMap(literal, { trim: false }).text;
        if (i === 0) text = text.trimStart();
        if (i === last) text = text.trimEnd();
        return text;
      }),
    };
  });
}

/** Literals with letters or digits must never sit inside a parameter value: that would split the text across them. */
function blockingLiterals(layout: Layout): RegExp[] {
  layout.blocking ??= [...new Set(layout.literals.map((literal) => literal.trim()).filter(hasWordCharacters))].map(
    (literal) => new RegExp(`(?<![\\p{L}\\p{N}])${literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u'),
  );
  return layout.blocking;
}

/** The split of the text into this layout's values: none, unique (with ranges), or ambiguous. */
function splitLayout(text: string, layout: Layout): SplitResult {
  const { literals, slots } = layout;
  if (slots.length === 0) return text === literals[0] ? { count: 1, ranges: [] } : { count: 0 };
  const firstOf = new Map<string, number>();
  const sameValue = slots.map((slot, index) => {
    const id = `${slot.component}:${slot.key}`;
    const earlier = firstOf.get(id);
    if (earlier === undefined) firstOf.set(id, index);
    return earlier;
  });
  return splitOnLiterals(text, literals, () => blockingLiterals(layout), sameValue);
}

/** Matches the text against one template (any status). */
export function matchOneTemplate(text: string | NormalizedText, template: KnownTemplate): SingleMatch {
  const normalized = typeof text === 'string' ? normalizeWithMap(text) : text;
  let best: SingleMatch = { kind: 'no_match' };
  let bestWildcards = Number.POSITIVE_INFINITY;
  for (const layout of layoutsOf(template)) {
    const split = splitLayout(normalized.text, layout);
    if (split.count === 0) continue;
    const wildcardChars = normalized.text.length - layout.literals.reduce((sum, literal) => sum + literal.length, 0);
    if (wildcardChars >= bestWildcards) continue;
    bestWildcards = wildcardChars;
    if (split.count > 1 || !split.ranges) {
      best = { kind: 'ambiguous', wildcardChars };
      continue;
    }
    const match: TemplateMatch = { template, body: {}, header: {}, wildcardChars };
    split.ranges.forEach(([from, to], index) => {
      const slot = layout.slots[index] as Slot;
      match[slot.component][slot.key] = originalSlice(normalized, from, to);
    });
    best = { kind: 'match', match };
  }
  return best;
}

/** 0/1: the contact's language (exact/same base), 2/3: the location's, 4: any other. */
export function languageRank(language: string, preference: LanguagePreference): number {
  const exact = (code: string) => code.toLowerCase().replace('-', '_');
  const base = (code: string) => exact(code).split('_')[0];
  const ranks: Array<[string | null | undefined, number]> = [[preference.contact, 0], [preference.location, 2]];
  for (const [wanted, rank] of ranks) {
    if (wanted && exact(wanted) === exact(language)) return rank;
    if (wanted && base(wanted) === base(language)) return rank + 1;
  }
  return 4;
}

/** A body that is only placeholders would match any text: such templates are chosen by rule or directive, never guessed. */
export function isMatchableAutomatically(template: KnownTemplate): boolean {
  return hasWordCharacters(splitPlaceholders(template.body).literals.join(''));
}

/** Picks among the given templates (APPROVED only): preferred language first, then fewest wildcard characters; a tie is no match. */
export function matchTemplateText(text: string, templates: KnownTemplate[], preference: LanguagePreference = {}): MatchResult {
  const normalized = normalizeWithMap(text);
  const matched: Array<{ template: KnownTemplate; result: Exclude<SingleMatch, { kind: 'no_match' }>; rank: number; wildcards: number }> = [];
  for (const template of templates.filter(isMatchableAutomatically)) {
    const result = matchOneTemplate(normalized, template);
    if (result.kind === 'no_match') continue;
    const wildcards = result.kind === 'match' ? result.match.wildcardChars : result.wildcardChars;
    matched.push({ template, result, rank: languageRank(template.language, preference), wildcards });
  }
  const approved = matched.filter((candidate) => candidate.template.status === 'APPROVED');
  if (approved.length === 0) {
    const blocked = matched.map((candidate) => `${templateKey(candidate.template)} (${candidate.template.status})`);
    if (blocked.length > 0) {
      return none('template_not_approved', `the text matches template ${blocked.join(', ')}, which Meta does not currently allow sending`, blocked);
    }
    const count = templates.filter((template) => template.status === 'APPROVED').length;
    const reason = count === 0
      ? 'no approved WhatsApp template is known for this location (sync the templates first)'
      : `no approved WhatsApp template matches the text (${count} approved template${count === 1 ? '' : 's'} checked)`;
    return none('no_template_match', reason, []);
  }
  const bestRank = Math.min(...approved.map((candidate) => candidate.rank));
  const sameLanguage = approved.filter((candidate) => candidate.rank === bestRank);
  const fewest = Math.min(...sameLanguage.map((candidate) => candidate.wildcards));
  const winners = sameLanguage.filter((candidate) => candidate.wildcards === fewest);
  const names = winners.map((candidate) => templateKey(candidate.template));
  if (winners.length > 1) {
    return none('ambiguous_template', `the text matches several templates equally well (${names.join(', ')}); choose one with a rule or a #wa: directive`, names);
  }
  const winner = winners[0] as (typeof winners)[number];
  if (winner.result.kind === 'ambiguous') {
    return none('ambiguous_template', `the text matches template ${names[0]}, but its parameters can be split in more than one way; choose with a rule`, names);
  }
  return { kind: 'match', match: winner.result.match };
}

function none(code: NoMatchCode, reason: string, candidates: string[]): MatchResult {
  return { kind: 'none', code, reason, candidates };
}
