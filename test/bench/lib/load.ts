/** Signed Delivery URL posts, fired open-loop (on a fixed schedule) or closed-loop (N concurrent senders). */
import { performance } from 'node:perf_hooks';

export interface PreparedPost {
  messageId: string;
  rawBody: string;
  signature: string;
}

export interface PostResult {
  messageId: string;
  /** Epoch ms the post was due (open loop: its slot in the schedule; closed loop: when it was sent). */
  dueAt: number;
  /** Ack latency, ms, from dueAt (open loop: queueing in this process counts, no coordinated omission). */
  ackMs: number;
  /** HTTP status; 0 for a network error or timeout. */
  status: number;
  ackedAt: number;
}

export interface LoadResult {
  kind: 'open' | 'closed';
  description: string;
  startedAt: number;
  results: PostResult[];
}

const REQUEST_TIMEOUT_MS = 30_000;

async function post(url: string, prepared: PreparedPost): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ghl-signature': prepared.signature },
      body: prepared.rawBody,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Posts prepared[i] at start + i / rate seconds, whatever the answers (a fixed arrival rate). */
export async function openLoop(url: string, prepared: PreparedPost[], ratePerSecond: number): Promise<LoadResult> {
  const startedAt = Date.now();
  const start = performance.now();
  const intervalMs = 1000 / ratePerSecond;
  const pending: Array<Promise<PostResult>> = [];
  let index = 0;
  while (index < prepared.length) {
    const now = performance.now();
    while (index < prepared.length && start + index * intervalMs <= now) {
      const item = prepared[index] as PreparedPost;
      const dueOffset = index * intervalMs;
      pending.push(
        post(url, item).then((status) => {
          const ackMs = performance.now() - (start + dueOffset);
          return { messageId: item.messageId, dueAt: startedAt + dueOffset, ackMs, status, ackedAt: Date.now() };
        }),
      );
      index += 1;
    }
    if (index < prepared.length) await sleep(Math.max(0, start + index * intervalMs - performance.now()));
  }
  return { kind: 'open', description: `${ratePerSecond} req/s for ${(prepared.length / ratePerSecond).toFixed(0)} s`, startedAt, results: await Promise.all(pending) };
}

/** `concurrency` senders, each posting the next message as soon as its previous one was answered. */
export async function closedLoop(url: string, prepared: PreparedPost[], concurrency: number): Promise<LoadResult> {
  const startedAt = Date.now();
  const results: PostResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < prepared.length) {
        const item = prepared[next++] as PreparedPost;
        const dueAt = Date.now();
        const start = performance.now();
        const status = await post(url, item);
        results.push({ messageId: item.messageId, dueAt, ackMs: performance.now() - start, status, ackedAt: Date.now() });
      }
    }),
  );
  return { kind: 'closed', description: `${prepared.length} messages, ${concurrency} concurrent senders`, startedAt, results };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
