import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';

/** An error answered with an exact HighLevel-shaped JSON body. Route code throws it; the error handler sends it. */
export class HighLevelApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: object,
  ) {
    super(`HighLevel simulator ${httpStatus}`);
  }
}

/** BadRequestDTO / common NestJS error body: `{ statusCode, message, error }`. */
export function apiError(httpStatus: number, message: string | string[]): HighLevelApiError {
  return new HighLevelApiError(httpStatus, { statusCode: httpStatus, message, error: STATUS_CODES[httpStatus] ?? 'Error' });
}

export const badRequest = (message: string | string[]) => apiError(400, message);
export const notFound = (message: string) => apiError(404, message);

/** UnauthorizedDTO; HighLevel answers 'Invalid JWT' for unknown and expired tokens alike. */
export const invalidJwt = () => apiError(401, 'Invalid JWT');

/** What HighLevel answers when a location token touches another location's data. */
export const noLocationAccess = () => apiError(403, 'The token does not have access to this location.');

/** Sends HighLevelApiError bodies verbatim and turns Fastify's own errors (bad JSON, multipart limits) into the same shape. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HighLevelApiError, _request, reply) => {
    if (error instanceof HighLevelApiError) return reply.code(error.httpStatus).send(error.body);
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    const message = status === 500 ? 'Internal Server Error' : error.message;
    return reply.code(status).send({ statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' });
  });
}
