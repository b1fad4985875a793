import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The `error` of this route's 400 when its body or query fails its schema (default: "invalid request body"). */
    invalidRequest?: string;
  }
}

type FieldProblem = { field: string; problem: string };

export function badRequest(reply: FastifyReply, error: string, fields?: FieldProblem[]) {
  return reply.code(400).send({ error, ...(fields ? { fields } : {}) });
}

export function zodFields(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', problem: issue.message }));
}

/**
 * A route schema's rejection as the API's 400: `{ error, fields }` naming each bad field like zodFields;
 * a bad path parameter as `{ error: "<name> <problem>" }`. Undefined for any other error.
 */
export function validationFailure(error: unknown, request: FastifyRequest): { error: string; fields?: FieldProblem[] } | undefined {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  const part = error.validationContext ?? 'body';
  const fields = error.validation.map((issue) => ({
    field: issue.instancePath.split('/').slice(1).join('.') || `(${part})`,
    problem: issue.message ?? 'invalid',
  }));
  if (part === 'params') return { error: fields.map(({ field, problem }) => `${field} ${problem}`).join('; ') };
  return { error: request.routeOptions.config.invalidRequest ?? `invalid request ${part}`, fields };
}

/** 503 tells HighLevel, Meta and Twilio to retry later: nothing accepted is lost while a dependency is down. */
export function unavailable(reply: FastifyReply, what: string) {
  return reply.code(503).header('retry-after', '5').send({ error: `${what} is unavailable; retry later` });
}
