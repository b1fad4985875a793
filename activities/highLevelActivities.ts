import { ApplicationFailure } from '@temporalio/activity';
import { HighLevelApiError, type HighLevelMessageStatus } from '../src/providers/highlevel/highLevelClient';
import { MissingTokenError } from '../src/providers/highlevel/tokenStore';
import type { ActivityDeps } from './deps';

/** HighLevel answers 403 for seconds after a send (not yet "downstreamed"), 429 when busy, 5xx when down. */
function isRetryable(error: HighLevelApiError): boolean {
  return error.status === 401 || error.status === 403 || error.status === 408 || error.status === 429 || error.status >= 500;
}

export function createHighLevelActivities({ highLevel }: ActivityDeps) {
  return {
    async pushStatusToHighLevel(input: {
      locationId: string;
      highLevelMessageId: string;
      status: HighLevelMessageStatus;
      error?: { code: string; type: string; message: string };
    }): Promise<void> {
      try {
        await highLevel.updateMessageStatus(input.locationId, input.highLevelMessageId, input.status, input.error);
      } catch (error) {
        if (error instanceof MissingTokenError) throw ApplicationFailure.nonRetryable(error.message, 'MissingHighLevelToken');
        if (!(error instanceof HighLevelApiError)) throw error;
        if (!isRetryable(error)) throw ApplicationFailure.nonRetryable(error.message, 'HighLevelRejected');
        throw ApplicationFailure.create({
          message: error.message,
          type: 'HighLevelUnavailable',
          ...(error.retryAfterMs ? { nextRetryDelay: error.retryAfterMs } : {}),
        });
      }
    },
  };
}
