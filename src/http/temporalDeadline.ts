import type { HttpContext } from './context';

/** Senders stop waiting after ~15 s (Twilio) or less; a 503 within 10 s is clearer, and they retry either way. */
export const TEMPORAL_DEADLINE_MS = 10_000;

/** Runs the receiver's Temporal calls (start, signal) under one deadline. */
export function withTemporalDeadline<T>(ctx: HttpContext, work: () => Promise<T>): Promise<T> {
  return ctx.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, work);
}
