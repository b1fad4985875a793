import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../security/secretBox';
import type { HttpContext } from './context';
import { parseJsonBodies } from './rawBody';

/**
 * Every operator route sits behind `Authorization: Bearer $ADMIN_TOKEN`; without the variable the API is off.
 * Admin JSON bodies are parsed before validation, so the routes' zod schemas (src/http/adminSchemas.ts) check them.
 */
export function requireAdminToken(scope: FastifyInstance, ctx: HttpContext): void {
  scope.addHook('onRequest', async (request, reply) => {
    const expected = ctx.config.ADMIN_TOKEN;
    const given = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    if (!expected) return reply.code(401).send({ error: 'the admin API is disabled: set ADMIN_TOKEN' });
    if (!given || !constantTimeEqual(given, expected)) return reply.code(401).send({ error: 'invalid admin token' });
  });
  parseJsonBodies(scope);
}
