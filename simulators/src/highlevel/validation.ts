import type { z } from 'zod';
import { apiError, badRequest } from './apiErrors';

/**
 * Validates a request body like HighLevel's NestJS pipes: unknown properties are rejected with
 * 422 "property X should not exist" (whitelisting), other problems with 400 naming the field.
 */
export function parseDto<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const unknownProperties = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `property ${[...issue.path, key].join('.')} should not exist`) : [],
  );
  if (unknownProperties.length > 0) throw apiError(422, unknownProperties);
  const messages = result.error.issues.map((issue) => {
    const field = issue.path.join('.');
    if (issue.code === 'invalid_type' && issue.input === undefined) return `${field} should not be empty`;
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw badRequest(messages.length === 1 ? messages[0]! : messages);
}
