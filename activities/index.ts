import type { ActivityDeps } from './deps';
import { createDeliveryActivities } from './deliveryActivities';
import { createHighLevelActivities } from './highLevelActivities';
import { createInboundActivities } from './inboundActivities';
import { createLedgerActivities } from './ledgerActivities';
import { createPolicyActivities } from './policyActivities';
import { createSmsActivities } from './smsActivities';
import { createTemplateActivities } from './templateActivities';
import { createWhatsAppActivities } from './whatsAppActivities';

export type { ActivityDeps } from './deps';

/** The worker's activities, built from injected dependencies (samples-typescript DI pattern). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDeliveryActivities(deps),
    ...createLedgerActivities(deps),
    ...createPolicyActivities(deps),
    ...createWhatsAppActivities(deps),
    ...createHighLevelActivities(deps),
    ...createTemplateActivities(deps),
    ...createInboundActivities(deps),
    ...createSmsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
