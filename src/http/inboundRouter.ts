import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { LocationRow } from '../db/schema';
import { maskPhone } from '../logging';
import type { InboundEvent } from '../providers/messagingPort';
import { recordInbound } from '../store/conversationWindows';
import { findLocationByPhoneNumberId } from '../store/locations';
import { canonicalSender } from '../store/whatsAppIds';
import { SEARCH_ATTRIBUTES, type ReceiveInboundInput } from '../../workflows/shared';
import { inboundWorkflowId } from '../temporal/inboundWorkflowId';
import type { HttpContext } from './context';

const PARALLEL_STARTS = 8;

export interface InboundRouting {
  messages: number;
  /** Workflows started, or already running for a redelivery. */
  accepted: number;
  /** Redeliveries of messages whose workflow already finished. */
  duplicates: number;
  /** Messages to a business number no location is configured for. */
  unrouted: number;
}

/** Which location an inbound message belongs to; Meta routes on phone_number_id, other back ends pass their own. */
export type LocationFinder = (event: InboundEvent) => Promise<LocationRow | undefined>;

/**
 * Every inbound message renews its 24-hour window right away (an outbound a moment later must see it open)
 * and starts its own receiveInbound workflow; the workflow id makes Meta's redeliveries no-ops.
 */
export async function routeInbound(ctx: HttpContext, events: InboundEvent[], locate?: LocationFinder): Promise<InboundRouting> {
  const routing: InboundRouting = { messages: events.length, accepted: 0, duplicates: 0, unrouted: 0 };
  const byNumber = new Map<string, Promise<LocationRow | undefined>>();
  const locationFor: LocationFinder =
    locate ??
    ((event) => {
      if (!byNumber.has(event.businessNumberId)) byNumber.set(event.businessNumberId, findLocationByPhoneNumberId(ctx.db, event.businessNumberId));
      return byNumber.get(event.businessNumberId) as Promise<LocationRow | undefined>;
    });
  for (let start = 0; start < events.length; start += PARALLEL_STARTS) {
    const outcomes = await Promise.all(events.slice(start, start + PARALLEL_STARTS).map((event) => routeOne(ctx, event, locationFor)));
    for (const outcome of outcomes) routing[outcome] += 1;
  }
  return routing;
}

async function routeOne(ctx: HttpContext, received: InboundEvent, locationFor: LocationFinder): Promise<'accepted' | 'duplicates' | 'unrouted'> {
  const location = await locationFor(received);
  if (!location) return 'unrouted';
  // One number per person from here on (window, consent, HighLevel contact): `521…` and `+52…` are the same sender.
  const event: InboundEvent = received.from || received.waId ? { ...received, from: await canonicalSender(ctx.db, location.id, received) } : received;
  // An SMS reply does not open the WhatsApp window: only a WhatsApp message lets us answer in free text.
  if (event.from && event.type !== 'system' && event.channel !== 'sms') await recordInbound(ctx.db, location.id, event.from, new Date(event.occurredAt));
  const input: ReceiveInboundInput = { locationId: location.id, event, receivedAt: new Date().toISOString() };
  try {
    await ctx.temporal.workflow.start('receiveInbound', {
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId: inboundWorkflowId(event.provider, event.providerMessageId),
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${event.channel === 'sms' ? 'SMS' : 'WhatsApp'} ${event.type} from ${event.from ? maskPhone(event.from) : 'a user id'} → HighLevel`,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.locationId, value: location.id }],
    });
    ctx.metrics?.workflowStarted('receiveInbound');
    return 'accepted';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'duplicates';
    throw error;
  }
}
