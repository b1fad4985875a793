/**
 * The normalisation template matching compares under: NFC, line breaks and whitespace runs as one space,
 * emoji variation selectors and zero-width spaces dropped, smart quotes and the ellipsis as ASCII.
 * The map back to the original lets parameter values keep exactly what the sender wrote.
 */

export interface NormalizedText {
  /** The text compared against templates. */
  text: string;
  /** The NFC form of the input that starts/ends index into. */
  source: string;
  /** For each UTF-16 unit of `text`: the [start, end) range in `source` it came from. */
  starts: number[];
  ends: number[];
}

const DROPPED = new Set(['\u200B', '\u2060', '\uFEFF', '\u00AD']);

const REPLACED: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"',
  '\u2026': '...',
};

function isVariationSelector(codePoint: number): boolean {
  return (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef);
}

/** `trim: false` keeps one leading/trailing space: literals between template placeholders need their edges. */
export function normalizeWithMap(input: string, options: { trim?: boolean } = {}): NormalizedText {
  const source = input.normalize('NFC');
  const trim = options.trim ?? true;
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (piece: string, start: number, end: number) => {
    for (const unit of piece.split('')) {
      text += unit;
      starts.push(start);
      ends.push(end);
    }
  };
  let space: { start: number; end: number } | undefined;
  let offset = 0;
  for (const char of source) {
    const start = offset;
    offset += char.length;
    if (DROPPED.has(char) || isVariationSelector(char.codePointAt(0) ?? 0)) continue;
    if (/\s/u.test(char)) {
      space = space ? { start: space.start, end: offset } : { start, end: offset };
      continue;
    }
    if (space && (text.length > 0 || !trim)) push(' ', space.start, space.end);
    space = undefined;
    push(REPLACED[char] ?? char, start, offset);
  }
  if (space && !trim) push(' ', space.start, space.end);
  return { text, source, starts, ends };
}

export function normalizeText(input: string): string {
  return normalizeWithMap(input).text;
}

/** The original characters behind normalised [from, to), whitespace collapsed and trimmed (Meta refuses line breaks in parameters). */
export function originalSlice(normalized: NormalizedText, from: number, to: number): string {
  if (to <= from) return '';
  const start = normalized.starts[from] ?? 0;
  const end = normalized.ends[to - 1] ?? start;
  return normalized.source.slice(start, end).replace(/\s+/gu, ' ').trim();
}

const WORDISH = /[\p{L}\p{N}]/u;

export function hasWordCharacters(value: string): boolean {
  return WORDISH.test(value);
}
