import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export function badRequest(reply: FastifyReply, error: string, fields?: Array<{ field: string; problem: string }>) {
  return reply.code(400).send({ error, ...(fields ? { fields } : {}) });
}

export function zodFields(error: z.ZodError): Array<{ field: string; problem: string }> {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', problem: issue.message }));
}

/** 503 tells HighLevel, Meta and Twilio to retry later: nothing accepted is lost while a dependency is down. */
export function unavailable(reply: FastifyReply, what: string) {
  return reply.code(503).header('retry-after', '5').send({ error: `${what} is unavailable; retry later` });
}
