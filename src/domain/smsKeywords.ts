/**
 * Twilio's own SMS keywords (whatsapp.md, error 21610): a one-word reply STOP blocks further SMS from the number
 * at Twilio, START/YES/UNSTOP lifts the block. We only mirror what Twilio did, so the list is Twilio's, not the
 * location's WhatsApp keyword settings, and "Please stop" (more than one word) is never a keyword.
 */
import { normalizeKeyword, type KeywordAction, type KeywordMatch } from './keywords';

export const TWILIO_SMS_OPT_OUT_KEYWORDS: readonly string[] = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'];
export const TWILIO_SMS_OPT_IN_KEYWORDS: readonly string[] = ['START', 'YES', 'UNSTOP'];

/** The Twilio keyword an SMS amounts to (any case, surrounding punctuation ignored), if any. */
export function smsKeyword(text: string | null | undefined): KeywordMatch | null {
  const word = normalizeKeyword(text ?? '');
  if (TWILIO_SMS_OPT_OUT_KEYWORDS.includes(word)) return { action: 'opt_out', keyword: word };
  if (TWILIO_SMS_OPT_IN_KEYWORDS.includes(word)) return { action: 'opt_in', keyword: word };
  return null;
}

/**
 * Whether HighLevel's SMS DND follows this keyword: every opt-out; an opt-in only when it undoes an SMS opt-out
 * we saw (a "Yes" answering "reply YES to confirm" must not clear a DND staff set for other reasons).
 */
export function mirrorsSmsKeyword(keyword: KeywordMatch | null, previousSmsKeyword: KeywordAction | null): boolean {
  if (!keyword) return false;
  return keyword.action === 'opt_out' || previousSmsKeyword === 'opt_out';
}
