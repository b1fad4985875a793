import type { RateLimitOptions } from './types';

export const DEFAULT_RATE_LIMIT: Required<RateLimitOptions> = { max: 100, intervalMs: 10_000, daily: 200_000 };

export interface RateLimitVerdict {
  allowed: boolean;
  /** The five X-RateLimit-* headers HighLevel documents; sent on every API response, 429s included. */
  headers: Record<string, string>;
}

interface Budget {
  /** Epoch ms of the requests inside the current burst interval (sliding window). */
  recent: number[];
  /** UTC day the daily count belongs to. */
  day: string;
  dailyCount: number;
}

/**
 * HighLevel's per-resource budget: a burst limit (100 per 10 s) and a daily limit (200k),
 * counted per app per location (or company). Rejected requests do not consume budget.
 */
export class RateLimiter {
  private readonly budgets = new Map<string, Budget>();
  private readonly limits: Required<RateLimitOptions>;

  constructor(options: RateLimitOptions) {
    this.limits = { ...DEFAULT_RATE_LIMIT, ...options };
  }

  take(resourceId: string, now = Date.now()): RateLimitVerdict {
    const budget = this.budgetFor(resourceId, now);
    budget.recent = budget.recent.filter((at) => at > now - this.limits.intervalMs);
    const allowed = budget.recent.length < this.limits.max && budget.dailyCount < this.limits.daily;
    if (allowed) {
      budget.recent.push(now);
      budget.dailyCount += 1;
    }
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit-Daily': String(this.limits.daily),
        'X-RateLimit-Daily-Remaining': String(Math.max(0, this.limits.daily - budget.dailyCount)),
        'X-RateLimit-Interval-Milliseconds': String(this.limits.intervalMs),
        'X-RateLimit-Max': String(this.limits.max),
        'X-RateLimit-Remaining': String(Math.max(0, this.limits.max - budget.recent.length)),
      },
    };
  }

  private budgetFor(resourceId: string, now: number): Budget {
    const day = new Date(now).toISOString().slice(0, 10);
    let budget = this.budgets.get(resourceId);
    if (!budget || budget.day !== day) {
      budget = { recent: budget?.recent ?? [], day, dailyCount: 0 };
      this.budgets.set(resourceId, budget);
    }
    return budget;
  }
}
