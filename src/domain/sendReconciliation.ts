/**
 * "Never sent twice, whatever fails": before a send that follows an attempt whose outcome we never learned (timeout,
 * connection reset, worker death after the request left), look for proof that the earlier attempt reached the
 * provider and adopt its message id instead of sending again. Proof is a receipt carrying this message's reference
 * (Meta's biz_opaque_callback_data, the `ref` of Twilio's StatusCallback URL) or, for Twilio, the message found in
 * its Messages list. Receipts can lag (the provider queues, our webhook was down and is retried), so the rule waits
 * for them up to a bound; when nothing proves the earlier attempt by then, it sends.
 *
 * Pure and deterministic (no I/O, no clock): usable from activities and from workflow code.
 */

/** How an attempt ended, as far as the sender can tell. */
export type AttemptOutcome =
  /** The provider answered with an id. */
  | 'accepted'
  /** The provider answered with a refusal: nothing was created. */
  | 'rejected'
  /** No request left (refused locally, connection never established). */
  | 'not_sent'
  /** The request may have reached the provider, and its answer never came back. */
  | 'unknown';

export interface ReconciliationInput {
  /** Attempt number of the send about to happen (Temporal's activity attempt: 1 = first). */
  attempt: number;
  /**
   * Whether an earlier attempt may have reached the provider without us learning the answer. Omitted: any retry
   * (attempt > 1) counts as unknown, since nothing recorded how the previous one ended. Set it explicitly when a
   * record says (e.g. `false` after a rejection or a refused connection, `true` on a first attempt of a new run that
   * found an earlier run's attempt on the ledger).
   */
  previousOutcomeUnknown?: boolean;
  /** Provider ids from receipts that carry this message's reference, earliest first (findReceiptEvidence). */
  receiptIds: readonly string[];
  /** The id a provider lookup matched (Twilio Messages list), if any. */
  lookedUpId?: string;
  /** Ids that belong to other parts of this message or to other messages (the ledger's): never adopted. */
  claimedIds?: readonly string[];
  /** How long this reconciliation has waited for evidence so far. */
  waitedMs: number;
  /** How long evidence gets before the rule gives up and sends. */
  waitBoundMs: number;
  /** Next look after a `wait`; default DEFAULT_RECONCILE_POLL_MS (never past the bound). */
  pollIntervalMs?: number;
}

export type ReconciliationDecision =
  | {
      action: 'adopt';
      providerMessageId: string;
      /** `receipt` carries our reference; `lookup` matched on address, content and time. */
      source: 'receipt' | 'lookup';
      /** Other unclaimed ids in the evidence: an earlier duplicate, or a part the caller did not list as claimed. */
      otherIds: string[];
    }
  | { action: 'wait'; retryInMs: number }
  | { action: 'send'; reason: 'first_attempt' | 'previous_outcome_known' | 'no_evidence' };

export const DEFAULT_RECONCILE_POLL_MS = 2_000;

/**
 * adopt(id) when an unclaimed receipt id (preferred: it carries our reference) or looked-up id exists, whatever
 * the attempt; otherwise send when there is nothing to reconcile (first attempt, or the previous outcome is known);
 * otherwise wait until the bound, then send.
 */
export function decideSendReconciliation(input: ReconciliationInput): ReconciliationDecision {
  const claimed = new Set(input.claimedIds ?? []);
  const receiptIds = unique(input.receiptIds).filter((id) => !claimed.has(id));
  const lookedUp = input.lookedUpId !== undefined && input.lookedUpId !== '' && !claimed.has(input.lookedUpId) ? input.lookedUpId : undefined;

  const [firstReceipt, ...otherReceipts] = receiptIds;
  if (firstReceipt !== undefined) {
    const otherIds = lookedUp !== undefined && lookedUp !== firstReceipt && !otherReceipts.includes(lookedUp) ? [...otherReceipts, lookedUp] : otherReceipts;
    return { action: 'adopt', providerMessageId: firstReceipt, source: 'receipt', otherIds };
  }
  if (lookedUp !== undefined) return { action: 'adopt', providerMessageId: lookedUp, source: 'lookup', otherIds: [] };

  const unknown = input.previousOutcomeUnknown ?? input.attempt > 1;
  if (!unknown) return { action: 'send', reason: input.attempt > 1 ? 'previous_outcome_known' : 'first_attempt' };
  const remaining = input.waitBoundMs - input.waitedMs;
  if (remaining <= 0) return { action: 'send', reason: 'no_evidence' };
  return { action: 'wait', retryInMs: Math.max(1, Math.min(input.pollIntervalMs ?? DEFAULT_RECONCILE_POLL_MS, remaining)) };
}

/** Network error codes raised before any byte of the request left (Node and undici). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * How a failed send attempt ended, from what it threw. A provider refusal (ProviderSendError with a 4xx answer) is
 * `rejected` (so is a 5xx whose body is the provider's own error); a refusal raised before any request (no sender, no synced template: no HTTP status) and a connection
 * that was never established are `not_sent`; everything else is `unknown`: timeouts and resets after the request
 * left (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, UND_ERR_SOCKET, ECONNRESET, EPIPE), a 5xx (a gateway may
 * fail after the message was created), a 2xx without an id, and any error not recognised.
 */
export function attemptOutcomeOf(error: unknown): Exclude<AttemptOutcome, 'accepted'> {
  const providerError = (error as { providerError?: { httpStatus?: unknown; code?: unknown } } | null)?.providerError;
  if (providerError && typeof providerError === 'object') {
    const status = providerError.httpStatus;
    if (typeof status !== 'number') return 'not_sent';
    if (status >= 400 && status < 500) return 'rejected';
    // A 5xx that carries the provider's own error code is the API saying it failed; a bare one may be a gateway's.
    const ownCode = typeof providerError.code === 'number' && providerError.code > 0;
    return status >= 500 && ownCode ? 'rejected' : 'unknown';
  }
  const code = networkCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code) ? 'not_sent' : 'unknown';
}

/** The error's code, or its cause's (fetch wraps undici errors in a TypeError with the cause). */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => id !== ''))];
}
