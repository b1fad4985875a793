/**
 * Opt-out / opt-in keywords: a message that is nothing but a keyword (any case, accents, surrounding
 * punctuation or emoji) changes the contact's WhatsApp consent. "Please don't stop" is not a keyword.
 */
export type KeywordAction = 'opt_out' | 'opt_in';

export interface KeywordMatch {
  action: KeywordAction;
  /** The keyword as listed (normalised), kept as evidence in the consent ledger. */
  keyword: string;
}

export interface KeywordSettings {
  /** Extra opt-out words for this location; they win over the defaults (and over default opt-in words). */
  optOutKeywords: string[];
  optInKeywords: string[];
  /** False: only the location's own words count. */
  useDefaultKeywords: boolean;
}

/** CTIA/carrier words plus their common Spanish, Portuguese, French, German, Italian and Dutch equivalents. */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP', 'STOPALL', 'STOP ALL', 'STOP PROMOTIONS', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'REVOKE',
  'PARAR', 'PARE', 'BAJA', 'DARSE DE BAJA', 'DETENER', 'CANCELAR', 'SAIR', 'DESCADASTRAR',
  'ARRET', 'ARRETER', 'DESABONNER', 'DESINSCRIRE', 'STOPP', 'ABMELDEN', 'ABBESTELLEN',
  'BASTA', 'DISISCRIVI', 'DISISCRIVITI', 'AFMELDEN', 'UITSCHRIJVEN',
];

/** Words that undo an opt-out (Twilio's START/UNSTOP/YES and their equivalents). */
export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = [
  'START', 'UNSTOP', 'YES', 'SUBSCRIBE', 'RESUBSCRIBE', 'OPTIN', 'OPT IN',
  'ALTA', 'INICIAR', 'COMENZAR', 'SUSCRIBIR', 'ASSINAR', 'DEMARRER', 'REPRENDRE', 'ANMELDEN', 'ISCRIVITI', 'AANMELDEN',
];

/** Upper case, accents removed, punctuation/emoji dropped, whitespace collapsed: "  ¡Stop! 🙏 " → "STOP". */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

/** The keyword a whole message amounts to, if any; the location's own lists are checked before the defaults. */
export function matchKeyword(text: string | null | undefined, settings: KeywordSettings): KeywordMatch | null {
  const normalized = normalizeKeyword(text ?? '');
  if (!normalized || normalized.length > 40) return null;
  const lists: Array<[KeywordAction, readonly string[]]> = [
    ['opt_out', settings.optOutKeywords],
    ['opt_in', settings.optInKeywords],
  ];
  if (settings.useDefaultKeywords) lists.push(['opt_out', DEFAULT_OPT_OUT_KEYWORDS], ['opt_in', DEFAULT_OPT_IN_KEYWORDS]);
  for (const [action, words] of lists) {
    const keyword = words.map(normalizeKeyword).find((word) => word === normalized);
    if (keyword) return { action, keyword };
  }
  return null;
}

/**
 * The defaults a tap on a button or a list row may carry. "Cancel" (the appointment), "Yes" (I will come), "End" are
 * ordinary answers to a business's own buttons, not consent changes; Meta's "Stop promotions" quick reply is one.
 */
const UNMISTAKABLE_WHEN_TAPPED = new Set(
  ['STOP', 'STOPALL', 'STOP ALL', 'STOP PROMOTIONS', 'UNSUBSCRIBE', 'OPTOUT', 'OPT OUT', 'START', 'UNSTOP', 'SUBSCRIBE', 'RESUBSCRIBE', 'OPTIN', 'OPT IN'].map(normalizeKeyword),
);

/** A tapped reply's keyword: the location's own words, or an unmistakable default. */
export function matchTappedKeyword(text: string | null | undefined, settings: KeywordSettings): KeywordMatch | null {
  const match = matchKeyword(text, settings);
  if (!match) return null;
  const own = [...settings.optOutKeywords, ...settings.optInKeywords].map(normalizeKeyword).includes(match.keyword);
  return own || UNMISTAKABLE_WHEN_TAPPED.has(match.keyword) ? match : null;
}
