import {
  DEFAULT_RECONCILE_POLL_MS,
  attemptOutcomeOf,
  decideSendReconciliation,
  type ReconciliationInput,
} from '../../src/domain/sendReconciliation';

const base: ReconciliationInput = { attempt: 2, receiptIds: [], waitedMs: 0, waitBoundMs: 30_000 };
const decide = (overrides: Partial<ReconciliationInput>) => decideSendReconciliation({ ...base, ...overrides });

describe('decideSendReconciliation', () => {
  describe('nothing to reconcile: send', () => {
    it('sends on a first attempt without evidence', () => {
      expect(decide({ attempt: 1 })).toEqual({ action: 'send', reason: 'first_attempt' });
    });

    it('sends on a retry whose previous attempt is known not to have created anything', () => {
      expect(decide({ attempt: 3, previousOutcomeUnknown: false })).toEqual({ action: 'send', reason: 'previous_outcome_known' });
    });
  });

  describe('previous outcome unknown, no evidence yet: wait up to the bound, then send', () => {
    it('treats any retry as unknown when nothing recorded how the previous attempt ended', () => {
      expect(decide({ attempt: 2 })).toEqual({ action: 'wait', retryInMs: DEFAULT_RECONCILE_POLL_MS });
    });

    it('honours an explicit unknown on a first attempt (a new run that found an earlier run’s attempt)', () => {
      expect(decide({ attempt: 1, previousOutcomeUnknown: true, pollIntervalMs: 500 })).toEqual({ action: 'wait', retryInMs: 500 });
    });

    it('never waits past the bound', () => {
      expect(decide({ waitedMs: 29_250, pollIntervalMs: 2000 })).toEqual({ action: 'wait', retryInMs: 750 });
    });

    it.each([30_000, 45_000])('sends once %i ms of a 30 s bound have passed without evidence', (waitedMs) => {
      expect(decide({ waitedMs })).toEqual({ action: 'send', reason: 'no_evidence' });
    });

    it('sends at once with a zero bound', () => {
      expect(decide({ waitBoundMs: 0 })).toEqual({ action: 'send', reason: 'no_evidence' });
    });
  });

  describe('evidence: adopt, never send again', () => {
    it('adopts the id of a receipt that carries our reference', () => {
      expect(decide({ receiptIds: ['wamid.A'] })).toEqual({ action: 'adopt', providerMessageId: 'wamid.A', source: 'receipt', otherIds: [] });
    });

    it('adopts evidence whatever the attempt, the recorded outcome or the time waited', () => {
      for (const overrides of [{ attempt: 1 }, { previousOutcomeUnknown: false }, { waitedMs: 10 * 60_000 }]) {
        expect(decide({ ...overrides, receiptIds: ['wamid.A'] })).toMatchObject({ action: 'adopt', providerMessageId: 'wamid.A' });
      }
    });

    it('adopts a looked-up id (Twilio Messages list) when no receipt has come', () => {
      expect(decide({ lookedUpId: 'SM1' })).toEqual({ action: 'adopt', providerMessageId: 'SM1', source: 'lookup', otherIds: [] });
    });

    it('prefers the receipt (it carries our reference) and reports a different looked-up id', () => {
      expect(decide({ receiptIds: ['SM1'], lookedUpId: 'SM2' })).toEqual({ action: 'adopt', providerMessageId: 'SM1', source: 'receipt', otherIds: ['SM2'] });
      expect(decide({ receiptIds: ['SM1'], lookedUpId: 'SM1' })).toEqual({ action: 'adopt', providerMessageId: 'SM1', source: 'receipt', otherIds: [] });
    });

    it('adopts the earliest receipt id and reports the rest (a duplicate that already happened)', () => {
      expect(decide({ receiptIds: ['wamid.A', 'wamid.B', 'wamid.A'] })).toEqual({
        action: 'adopt',
        providerMessageId: 'wamid.A',
        source: 'receipt',
        otherIds: ['wamid.B'],
      });
    });

    it('never adopts an id claimed by another part or message', () => {
      // Part 0 is on the ledger as wamid.A; the receipt for part 1 (sent before the answer was lost) is wamid.B.
      expect(decide({ receiptIds: ['wamid.A', 'wamid.B'], claimedIds: ['wamid.A'] })).toMatchObject({ action: 'adopt', providerMessageId: 'wamid.B', otherIds: [] });
      expect(decide({ receiptIds: ['wamid.A'], claimedIds: ['wamid.A'] })).toEqual({ action: 'wait', retryInMs: DEFAULT_RECONCILE_POLL_MS });
      expect(decide({ lookedUpId: 'SM1', claimedIds: ['SM1'], waitedMs: 30_000 })).toEqual({ action: 'send', reason: 'no_evidence' });
    });

    it('ignores empty ids', () => {
      expect(decide({ receiptIds: [''], lookedUpId: '', attempt: 1 })).toEqual({ action: 'send', reason: 'first_attempt' });
    });
  });
});

describe('attemptOutcomeOf', () => {
  const networkError = (code: string) => Object.assign(new Error(code), { code });
  const providerError = (httpStatus: number | undefined, code = -1) => Object.assign(new Error('provider'), { providerError: { code, httpStatus } });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])('%s: the request never left', (code) => {
    expect(attemptOutcomeOf(networkError(code))).toBe('not_sent');
  });

  it.each(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED'])(
    '%s: the request may have reached the provider',
    (code) => {
      expect(attemptOutcomeOf(networkError(code))).toBe('unknown');
    },
  );

  it('reads the code of a wrapped cause (fetch wraps undici errors)', () => {
    expect(attemptOutcomeOf(new TypeError('fetch failed', { cause: networkError('ECONNREFUSED') }))).toBe('not_sent');
    expect(attemptOutcomeOf(new TypeError('fetch failed', { cause: networkError('UND_ERR_SOCKET') }))).toBe('unknown');
  });

  it('a 4xx answer or a 5xx with the provider\'s own error is a rejection; a bare 5xx or a 2xx without an id is unknown; a refusal before any request is not sent', () => {
    expect(attemptOutcomeOf(providerError(400))).toBe('rejected');
    expect(attemptOutcomeOf(providerError(429))).toBe('rejected');
    expect(attemptOutcomeOf(providerError(500))).toBe('unknown');
    expect(attemptOutcomeOf(providerError(503))).toBe('unknown');
    expect(attemptOutcomeOf(providerError(500, 131000))).toBe('rejected');
    expect(attemptOutcomeOf(providerError(200))).toBe('unknown');
    expect(attemptOutcomeOf(providerError(undefined))).toBe('not_sent');
  });

  it('anything unrecognised is unknown', () => {
    expect(attemptOutcomeOf(new Error('worker lost'))).toBe('unknown');
    expect(attemptOutcomeOf(undefined)).toBe('unknown');
    expect(attemptOutcomeOf('string')).toBe('unknown');
  });
});
