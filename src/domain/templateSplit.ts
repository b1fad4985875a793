/**
 * How a normalised text splits into a template's literals and parameter values. Counts the possible splits
 * (0, 1, or 2 meaning "more than one") in O(slots × text length × log) with a dynamic programme over the
 * positions where each literal occurs, so long texts and many templates stay fast.
 * Rules: every value is non-blank, and no value may contain a "blocking" literal (a template literal with
 * letters or digits, as a whole word sequence): a parameter never spans a literal of the template.
 */

export interface SplitResult {
  count: 0 | 1 | 2;
  /** The [from, to) range of each value when the split is unique. */
  ranges?: Array<[number, number]>;
}

/** Smallest end of a blocking occurrence starting at or after each position (text.length + 1 when none). */
function blockingEnds(text: string, blocking: RegExp[]): Int32Array {
  const ends = new Int32Array(text.length + 2).fill(text.length + 1);
  for (const pattern of blocking) {
    for (const match of text.matchAll(new RegExp(pattern.source, 'gu'))) {
      const start = match.index ?? 0;
      ends[start] = Math.min(ends[start] ?? text.length + 1, start + match[0].length);
    }
  }
  for (let position = text.length - 1; position >= 0; position -= 1) ends[position] = Math.min(ends[position] ?? 0, ends[position + 1] ?? 0);
  return ends;
}

function occurrences(text: string, literal: string, from: number): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(literal, from); at >= 0 && at < text.length; at = text.indexOf(literal, at + 1)) found.push(at);
  return found;
}

/** First index in the sorted list whose value is greater than `value`. */
function upperBound(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? 0) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * literals[i] precedes value i; literals has one more entry than there are values (at least one value).
 * `sameValue[i]` names an earlier value index that must be equal (a repeated placeholder), if any.
 */
export function splitOnLiterals(text: string, literals: string[], blocking: () => RegExp[], sameValue: Array<number | undefined> = []): SplitResult {
  const slots = literals.length - 1;
  const first = literals[0] ?? '';
  const last = literals[slots] ?? '';
  if (!text.startsWith(first) || !text.endsWith(last) || text.length - last.length <= first.length) return { count: 0 };
  const finalEnd = text.length - last.length;
  // Cheap rejection: every literal must occur, in order.
  let cursor = first.length;
  for (let i = 1; i < slots; i += 1) {
    const at = text.indexOf(literals[i] ?? '', cursor + 1);
    if (at < 0 || at >= finalEnd) return { count: 0 };
    cursor = at + (literals[i] ?? '').length;
  }
  const blockEnd = blockingEnds(text, blocking());
  const isValue = (from: number, to: number) => to > from && to < (blockEnd[from] ?? 0) && !(to === from + 1 && text[from] === ' ');
  if (sameValue.some((earlier) => earlier !== undefined)) return searchWithRepeats(text, literals, isValue, sameValue, finalEnd);

  // ends[i]: where value i may end; counts[i][j]: completions (capped at 2) after value i ends at ends[i][j].
  const ends: number[][] = [];
  for (let i = 0; i < slots; i += 1) ends.push(i === slots - 1 ? [finalEnd] : occurrences(text, literals[i + 1] ?? '', first.length + 1));
  const counts: Int8Array[] = ends.map((list) => new Int8Array(list.length));
  const prefix: Int32Array[] = ends.map((list) => new Int32Array(list.length + 1));
  const completions = (slot: number, from: number): number => {
    const list = ends[slot] as number[];
    const low = upperBound(list, from);
    const high = upperBound(list, (blockEnd[from] ?? 0) - 1);
    if (high <= low) return 0;
    const sums = prefix[slot] as Int32Array;
    let total = (sums[high] ?? 0) - (sums[low] ?? 0);
    if (list[low] === from + 1 && text[from] === ' ') total -= (counts[slot] as Int8Array)[low] ?? 0;
    return Math.min(total, 2);
  };
  for (let slot = slots - 1; slot >= 0; slot -= 1) {
    const list = ends[slot] as number[];
    const nextLiteral = (literals[slot + 1] ?? '').length;
    list.forEach((end, j) => {
      (counts[slot] as Int8Array)[j] = slot === slots - 1 ? 1 : completions(slot + 1, end + nextLiteral);
      (prefix[slot] as Int32Array)[j + 1] = ((prefix[slot] as Int32Array)[j] ?? 0) + ((counts[slot] as Int8Array)[j] ?? 0);
    });
  }
  const total = completions(0, first.length);
  if (total !== 1) return { count: total === 0 ? 0 : 2 };
  const ranges: Array<[number, number]> = [];
  let from = first.length;
  for (let slot = 0; slot < slots; slot += 1) {
    const list = ends[slot] as number[];
    const index = list.findIndex((end, j) => isValue(from, end) && ((counts[slot] as Int8Array)[j] ?? 0) > 0);
    const end = list[index] as number;
    ranges.push([from, end]);
    from = end + (literals[slot + 1] ?? '').length;
  }
  return { count: 1, ranges };
}

/** Repeated placeholders tie values together, which the counting cannot see: a bounded search instead. */
function searchWithRepeats(text: string, literals: string[], isValue: (from: number, to: number) => boolean, sameValue: Array<number | undefined>, finalEnd: number): SplitResult {
  const slots = literals.length - 1;
  const found: Array<Array<[number, number]>> = [];
  const chosen: Array<[number, number]> = [];
  let budget = 200_000;
  const search = (slot: number, from: number): void => {
    const next = literals[slot + 1] ?? '';
    const candidates = slot === slots - 1 ? [finalEnd] : occurrences(text, next, from + 1);
    for (const end of candidates) {
      if ((budget -= 1) < 0 || found.length >= 2) return;
      if (!isValue(from, end)) continue;
      const earlier = sameValue[slot];
      const range = chosen[earlier ?? -1];
      if (earlier !== undefined && range && text.slice(...range).trim() !== text.slice(from, end).trim()) continue;
      chosen.push([from, end]);
      if (slot === slots - 1) found.push([...chosen]);
      else search(slot + 1, end + next.length);
      chosen.pop();
    }
  };
  search(0, (literals[0] ?? '').length);
  if (budget < 0) return { count: 0 };
  return found.length === 1 ? { count: 1, ranges: found[0] } : { count: found.length === 0 ? 0 : 2 };
}
