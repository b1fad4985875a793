import { createConsentActivities } from './consentActivities';
import type { ActivityDeps } from './deps';
import { createInboundHighLevelActivities } from './inboundHighLevelActivities';
import { createInboundLedgerActivities } from './inboundLedgerActivities';
import { createInboundMediaActivities } from './inboundMediaActivities';
import { createInboundSmsActivities } from './inboundSmsActivities';

/** Everything the receiveInbound workflow calls: ledger, HighLevel threading, media, consent. */
export function createInboundActivities(deps: ActivityDeps) {
  return {
    ...createInboundLedgerActivities(deps),
    ...createInboundHighLevelActivities(deps),
    ...createInboundMediaActivities(deps),
    ...createConsentActivities(deps),
    ...createInboundSmsActivities(deps),
  };
}
