import type { HighLevelMessageStatus } from '../src/providers/highlevel/highLevelClient';
import type { ActivityDeps } from './deps';
import { highLevelFailure } from './highLevelFailures';

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
        throw highLevelFailure(error);
      }
    },
  };
}
