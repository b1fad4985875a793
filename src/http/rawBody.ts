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

/**
 * In `scope` (the admin API), JSON bodies are parsed before the route's schema validates them (raw text still kept):
 * no signature to check first, and malformed JSON is a 400 with that reason.
 */
export function parseJsonBodies(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    const parsed = parseJson(body as string);
    if (parsed.ok) done(null, parsed.value);
    else done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }), undefined);
  });
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
