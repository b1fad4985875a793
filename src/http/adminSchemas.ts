import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { idProblem } from '../domain/identifiers';

/** Every 4xx/5xx answer of the API: the reason, and for a rejected body each bad field. */
export const errorReply = z
  .object({
    error: z.string(),
    fields: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  })
  .describe('The reason; for a rejected body or query, each bad field (dotted path) with its problem');

/** A path id, checked before any lookup (a NUL would reach PostgreSQL and fail there). */
export function pathId(maxLength = 256) {
  return z.string().superRefine((value, check) => {
    const problem = idProblem(value, maxLength);
    if (problem) check.addIssue({ code: 'custom', message: problem });
  });
}

export const locationParams = z.object({ locationId: pathId() });

/** An admin route's schema, as documented at /docs: bearer token, and the 400/401 answers every admin route may give. */
export function adminRoute<Schema extends FastifySchema & { response?: Record<number, unknown> }>(tag: string, schema: Schema) {
  return {
    ...schema,
    tags: [tag],
    security: [{ adminToken: [] }],
    response: { 400: errorReply, 401: errorReply, ...schema.response },
  };
}
