import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config';
import { resolveSettings } from '../domain/locationSettings';
import { findLocationRecent } from '../store/locations';
import { claimNextItem } from '../store/replays';
import { processItem, type ReplayContext } from './replays';

/** An item claimed longer ago than this belongs to an api process that died: another one takes it. */
const CLAIM_STALE_MS = 60_000;
const IDLE_POLL_MS = 2_000;

/**
 * Works through replay and release items in the api process, from PostgreSQL (a restarted api resumes where the
 * last one stopped): at most REPLAY_CONCURRENCY at once, REPLAY_RATE_PER_SECOND overall and the location's
 * `releasePerSecond`, oldest item first, so a replay of thousands leaves the workers' capacity to live traffic.
 */
export class ReplayRunner {
  private running = false;
  private readonly waiters = new Set<() => void>();
  private loops: Promise<void>[] = [];
  private nextGlobalSlot = 0;
  private readonly nextLocationSlot = new Map<string, number>();

  constructor(
    private readonly ctx: ReplayContext & { config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'REPLAY_RATE_PER_SECOND' | 'REPLAY_CONCURRENCY'> },
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.ctx.config.REPLAY_CONCURRENCY }, () => this.loop());
  }

  /** New work was recorded: look now instead of at the next poll. */
  poke(): void {
    for (const wake of [...this.waiters]) wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        const item = await claimNextItem(this.ctx.db, CLAIM_STALE_MS);
        if (item) {
          worked = true;
          await this.waitForSlot(item.messageId);
          await processItem(this.ctx, item);
        }
      } catch (error) {
        // The item stays claimed and is taken again once stale (Temporal or PostgreSQL was unavailable).
        this.log.warn({ err: error }, 'replay item not processed; retried later');
      }
      if (!worked && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      this.waiters.add(done);
    });
  }

  /** Spaces starts: globally, and per location at its own rate. */
  private async waitForSlot(messageId: string): Promise<void> {
    const locationId = messageId.split(':')[1] ?? '';
    const location = await findLocationRecent(this.ctx.db, locationId);
    const perSecond = resolveSettings(location?.settings, { receiptTimeoutSeconds: 0, lateReceiptWindowSeconds: 0 }).releasePerSecond;
    const now = Date.now();
    const at = Math.max(now, this.nextGlobalSlot, this.nextLocationSlot.get(locationId) ?? 0);
    this.nextGlobalSlot = at + 1000 / this.ctx.config.REPLAY_RATE_PER_SECOND;
    this.nextLocationSlot.set(locationId, at + 1000 / perSecond);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
