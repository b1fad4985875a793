import type { FastifyInstance } from 'fastify';
import { idProblem } from '../domain/identifiers';
import { constantTimeEqual } from '../security/secretBox';
import type { HttpContext } from './context';

/** Every operator route sits behind `Authorization: Bearer $ADMIN_TOKEN`; without the variable the API is off. */
export function requireAdminToken(scope: FastifyInstance, ctx: HttpContext): void {
  scope.addHook('onRequest', async (request, reply) => {
    const expected = ctx.config.ADMIN_TOKEN;
    const given = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    if (!expected) return reply.code(401).send({ error: 'the admin API is disabled: set ADMIN_TOKEN' });
    if (!given || !constantTimeEqual(given, expected)) return reply.code(401).send({ error: 'invalid admin token' });
  });
  // Path ids are checked before any route looks them up (a NUL would reach PostgreSQL and fail there).
  scope.addHook('preValidation', async (request, reply) => {
    for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
      const problem = typeof value === 'string' ? idProblem(value, 256) : undefined;
      if (problem) return reply.code(400).send({ error: `${name} ${problem}` });
    }
  });
}
