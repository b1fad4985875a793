import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../db/database';
import { temporalReachable } from '../temporal/connection';
import type { HttpContext } from './context';

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

export function registerHealthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/healthz', async () => ({ status: 'alive' }));

  /** Ready only when both PostgreSQL and Temporal answer; the 503 body names what is down and why. */
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.all([
      pingDatabase(ctx.db).then(() => ({ name: 'postgres', ok: true as const }), (error) => ({ name: 'postgres', ok: false as const, error: describe(error) })),
      temporalReachable(ctx.temporal).then(() => ({ name: 'temporal', ok: true as const }), (error) => ({ name: 'temporal', ok: false as const, error: describe(error) })),
    ]);
    const down = checks.filter((check) => !check.ok);
    const body = { status: down.length === 0 ? 'ready' : 'unavailable', checks: Object.fromEntries(checks.map(({ name, ...rest }) => [name, rest])) };
    if (down.length > 0) return reply.code(503).send({ ...body, error: `${down.map((check) => check.name).join(' and ')} unreachable` });
    return body;
  });
}
