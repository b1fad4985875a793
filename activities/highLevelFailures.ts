import { ApplicationFailure, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { FAILURE } from '../src/domain/failures';
import { HighLevelApiError } from '../src/providers/highlevel/highLevelClient';
import { MissingTokenError } from '../src/providers/highlevel/tokenStore';

/** What a HighLevel error means for an activity: refused for good (with why), worth a retry, or not HighLevel's. */
export type HighLevelOutcome = { refused: string; type: string } | { retry: ApplicationFailure } | undefined;

/**
 * HighLevel answers 401/403 for seconds after a send or an event (not yet "downstreamed"), 408/429 when busy, 5xx when
 * down: retried, honouring its Retry-After. The early 403 is expected: one info line, and a benign failure the SDK
 * logs at debug level without a stack trace. Any other 4xx, or no token at all, is final.
 */
export function highLevelOutcome(error: unknown): HighLevelOutcome {
  if (error instanceof MissingTokenError) return { refused: error.message, type: FAILURE.missingHighLevelToken };
  if (!(error instanceof HighLevelApiError)) return undefined;
  const retryable = error.status === 401 || error.status === 403 || error.status === 408 || error.status === 429 || error.status >= 500;
  if (!retryable) return { refused: error.message, type: FAILURE.highLevelRejected };
  const expected = error.status === 401 || error.status === 403;
  if (expected) log.info(`HighLevel answered ${error.status} (not downstreamed yet); retrying`);
  return {
    retry: ApplicationFailure.create({
      message: error.message,
      type: FAILURE.highLevelUnavailable,
      ...(expected ? { category: ApplicationFailureCategory.BENIGN } : {}),
      ...(error.retryAfterMs ? { nextRetryDelay: error.retryAfterMs } : {}),
    }),
  };
}

/** The error an activity throws for a HighLevel call that failed: final as non-retryable, else retried. */
export function highLevelFailure(error: unknown): unknown {
  const outcome = highLevelOutcome(error);
  if (!outcome) return error;
  return 'retry' in outcome ? outcome.retry : ApplicationFailure.nonRetryable(outcome.refused, outcome.type);
}
