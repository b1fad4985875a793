import type { ActivityDeps } from './deps';
import { createHighLevelActivities } from './highLevelActivities';
import { createLedgerActivities } from './ledgerActivities';
import { createPolicyActivities } from './policyActivities';
import { createWhatsAppActivities } from './whatsAppActivities';

export type { ActivityDeps } from './deps';

/** The worker's activities, built from injected dependencies (samples-typescript DI pattern). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
    ...createPolicyActivities(deps),
    ...createWhatsAppActivities(deps),
    ...createHighLevelActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
