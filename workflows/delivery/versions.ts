import type { DeliverMessageInput } from '../shared';

/**
 * What each recorded version of the delivery does (workflows/shared.ts, DELIVERY_VERSION): a run keeps the branches of
 * the version it started with, so histories recorded before a change replay unchanged.
 */
export interface DeliveryFeatures {
  /** v5: a message of a paused sender is held until released (before: failed at once). */
  holdsWhenPaused: boolean;
  /** Which status reports run in the workflow task that took the receipt: v6 those before the last, v7 all. */
  reportsInTask: 'none' | 'before_last' | 'all';
}

export function featuresOf(input: DeliverMessageInput): DeliveryFeatures {
  const version = input.version ?? 0;
  return {
    holdsWhenPaused: version >= 5,
    reportsInTask: version >= 7 ? 'all' : version >= 6 ? 'before_last' : 'none',
  };
}
