/**
 * The inline directive a HighLevel user types into an SMS to pick a template by name:
 *   #wa:appointment_reminder        (language chosen by preference)
 *   #wa:appointment_reminder:es     (this language)
 * It may stand anywhere (its own line is usual) and is always stripped before anything is sent.
 * `#wa:` is used rather than `{{…}}` because HighLevel's merge-field engine owns the braces.
 */

export interface Directive {
  name: string;
  language?: string;
}

export interface DirectiveResult {
  /** The text without any directive. */
  text: string;
  directive?: Directive;
  /** Set when the text names two different templates. */
  conflict?: string;
}

const TOKEN = /[ \t]*(?<!\S)#wa:([A-Za-z0-9_]+)(?::([A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,4})?))?(?![A-Za-z0-9_:])/g;

function canonicalLanguage(code: string): string {
  const [base = '', region] = code.split('_');
  return region ? `${base.toLowerCase()}_${region.length === 2 ? region.toUpperCase() : region}` : base.toLowerCase();
}

export function extractDirective(input: string): DirectiveResult {
  const found: Directive[] = [];
  const lines: string[] = [];
  for (const line of input.split(/\r\n|\r|\n/)) {
    let hit = false;
    let stripped = line.replace(TOKEN, (_token, name: string, language: string | undefined) => {
      hit = true;
      found.push({ name: name.toLowerCase(), ...(language ? { language: canonicalLanguage(language) } : {}) });
      return '';
    });
    if (!hit) {
      lines.push(line);
      continue;
    }
    if (!/^\s/.test(line)) stripped = stripped.trimStart();
    if (stripped.trim()) lines.push(stripped);
  }
  const text = lines.join('\n').trim();
  if (found.length === 0) return { text };
  const distinct = [...new Set(found.map((directive) => `${directive.name}${directive.language ? `:${directive.language}` : ''}`))];
  if (distinct.length > 1) return { text, conflict: `the text has several #wa: directives naming different templates (${distinct.join(', ')})` };
  return { text, directive: found[0] as Directive };
}
