import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: signatures are computed over these bytes, never over re-serialised JSON. */
    rawBody: string;
  }
}

/**
 * JSON and form bodies are kept raw and parsed by the routes after their signature checks,
 * so a malformed body becomes the route's own 400 (or 401 when unsigned) instead of a generic error.
 */
export function keepRawBodies(app: FastifyInstance): void {
  app.decorateRequest('rawBody', '');
  for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (request, body, done) => {
      request.rawBody = body as string;
      done(null, body);
    });
  }
}

export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** The raw body string ('' when the request had none or an unparsed content type). */
export function rawBodyOf(request: { rawBody: string }): string {
  return typeof request.rawBody === 'string' ? request.rawBody : '';
}
