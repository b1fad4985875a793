import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sleep } from '../support';

export interface FailNextOptions {
  status: number;
  /** Defaults to `{ statusCode, message }` for the status. */
  body?: unknown;
  /** Only API requests whose path starts with this count (e.g. '/conversations/messages/inbound'). */
  pathPrefix?: string;
}

interface FailureRule extends FailNextOptions {
  remaining: number;
}

/** Only the HighLevel API is faulted; control routes and served files never are. */
const isApiPath = (path: string) => !path.startsWith('/_sim') && !path.startsWith('/_files');

/** Latency and scripted failures for API requests. Failed requests are still recorded in `requests`. */
export class FaultInjector {
  private latencyMs = 0;
  private readonly rules: FailureRule[] = [];

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Queues N failures; rules apply in the order they were added. */
  failNext(count: number, options: FailNextOptions): void {
    if (count > 0) this.rules.push({ ...options, remaining: count });
  }

  clear(): void {
    this.latencyMs = 0;
    this.rules.length = 0;
  }

  /** Registered after the request recorder, so faulted requests are recorded too. */
  install(app: FastifyInstance): void {
    app.addHook('preHandler', async (request, reply) => {
      const path = request.url.split('?')[0] ?? request.url;
      if (!isApiPath(path)) return;
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const rule = this.rules.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix ?? '/'));
      if (!rule) return;
      rule.remaining -= 1;
      if (rule.remaining === 0) this.rules.splice(this.rules.indexOf(rule), 1);
      const body = rule.body ?? { statusCode: rule.status, message: STATUS_CODES[rule.status] ?? 'Simulated failure' };
      return reply.code(rule.status).send(body);
    });
  }
}
