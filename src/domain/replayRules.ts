import type { ErrorClass } from './providerErrors';
import { classifyProviderError, type Provider } from './providerErrors';

/**
 * Which messages a replay re-drives, decided from our ledger (never from a search attribute): a message whose latest
 * outcome is failed and that never reached the contact on any channel. Pure.
 */
export type SkipWhy = 'already_delivered' | 'in_progress' | 'not_failed';
export type ReplayVerdict = { action: 'replay' } | { action: 'skip'; why: SkipWhy; status: string };

export interface ReplayFacts {
  /** The ledger row's status. */
  status: string;
  /** A delivered/read receipt is stored for the message (on any channel, from any run, even one that had closed). */
  reachedContact: boolean;
}

const IN_PROGRESS = new Set(['received', 'accepted', 'sent', 'held']);

export function replayVerdict(facts: ReplayFacts): ReplayVerdict {
  if (facts.reachedContact || facts.status === 'delivered' || facts.status === 'read') return { action: 'skip', why: 'already_delivered', status: facts.status };
  if (facts.status === 'failed') return { action: 'replay' };
  return { action: 'skip', why: IN_PROGRESS.has(facts.status) ? 'in_progress' : 'not_failed', status: facts.status };
}

/** Our own failure codes (decided before or around a send) onto the provider error classes ops already know. */
const OWN_CODES: Record<string, ErrorClass | 'consent'> = {
  no_template_match: 'needs_template',
  sender_paused: 'pause_sender',
  whatsapp_unavailable: 'retry',
  sms_unavailable: 'retry',
  opted_out: 'consent',
  no_opt_in: 'consent',
  dnd: 'consent',
  invalid_phone: 'permanent',
  empty_message: 'permanent',
};

export const FAILURE_CLASSES = ['retry', 'needs_template', 'fallback', 'permanent', 'pause_sender', 'consent'] as const satisfies ReadonlyArray<ErrorClass | 'consent'>;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** The class of a failure code: ours by name, a provider's by its table (the ledger row says which provider). */
export function failureClassOf(code: string, provider: string | null): FailureClass {
  const own = OWN_CODES[code];
  if (own) return own;
  const numeric = Number(code);
  if (!Number.isInteger(numeric)) return 'permanent';
  return classifyProviderError((provider === 'twilio' ? 'twilio' : 'meta') as Provider, { code: numeric });
}
