import type { Payload } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { constantTimeEqual } from '../security/secretBox';
import { cookieValue, sessionProblem, sessionValue } from './adminSession';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest } from './replies';

/**
 * The Temporal Web UI's (and `temporal --codec-endpoint`'s) remote codec: POST <endpoint>/decode and /encode with
 * proto-JSON Payloads, `X-Namespace` naming the namespace. It runs the api's own payload codecs, so it decodes exactly
 * what this deployment encrypted. Only ops with ADMIN_TOKEN: as `Authorization: Bearer` (CLI, curl, a proxy) or as the
 * session cookie that GET /codec/session sets for a browser (the UI's "include cross-origin credentials").
 */
const SESSION_COOKIE = 'ghlwa_codec';
const SESSION_SECONDS = 12 * 3600;

const payloadsBody = z.object({
  payloads: z.array(
    z.object({
      // Proto JSON bytes: standard or URL-safe base64, which Buffer reads alike.
      metadata: z.record(z.string(), z.string()).nullish(),
      data: z.string().nullish(),
    }),
  ),
});

type JsonPayload = { metadata?: Record<string, string>; data?: string };

function fromJson(payload: z.infer<typeof payloadsBody>['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export function registerCodecRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const codecs = ctx.temporal.options.loadedDataConverter.payloadCodecs;
  const origins = new Set(
    (ctx.config.CODEC_CORS_ORIGINS ?? `http://127.0.0.1:${ctx.config.TEMPORAL_UI_PORT},http://localhost:${ctx.config.TEMPORAL_UI_PORT}`)
      .split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  );
  const secureCookie = ctx.config.PUBLIC_BASE_URL.startsWith('https://');

  app.register(async (codec) => {
    // CORS for the UI's origin only; credentials allowed so the browser may send the session cookie.
    codec.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin && origins.has(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-allow-credentials', 'true');
      }
      reply.header('vary', 'Origin');
    });

    // The preflight carries no credentials: it is answered before any token check.
    codec.options('/codec/:operation', async (_request, reply) => {
      reply
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    });

    const run = (operation: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
      const refused = authorization(request, ctx.config.ADMIN_TOKEN);
      if (refused) return reply.code(401).send({ error: refused });
      const namespace = request.headers['x-namespace'];
      if (typeof namespace === 'string' && namespace !== '' && namespace !== ctx.config.TEMPORAL_NAMESPACE) {
        return reply.code(403).send({ error: `this codec serves namespace "${ctx.config.TEMPORAL_NAMESPACE}", not "${namespace}"` });
      }
      const parsed = parseJson(rawBodyOf(request));
      if (!parsed.ok) return badRequest(reply, 'body is not valid JSON');
      const body = payloadsBody.safeParse(parsed.value);
      if (!body.success) return badRequest(reply, 'body must be {"payloads": [{"metadata": {…base64}, "data": base64}]}');
      let payloads = body.data.payloads.map(fromJson);
      try {
        // The SDK's order: encode through the codecs first to last, decode last to first.
        for (const codec of operation === 'encode' ? codecs : [...codecs].reverse()) payloads = await codec[operation](payloads);
      } catch (error) {
        return badRequest(reply, `cannot ${operation}: ${(error as Error).message}`);
      }
      return reply.send({ payloads: payloads.map(toJson) });
    };
    codec.post('/codec/decode', run('decode'));
    codec.post('/codec/encode', run('encode'));

    // A browser cannot send a Bearer header from the UI: ops exchange the admin token for a session cookie here.
    codec.get('/codec/session', async (_request, reply) => reply.type('text/html; charset=utf-8').send(sessionPage('')));
    codec.post('/codec/session', async (request, reply) => {
      const token = new URLSearchParams(rawBodyOf(request)).get('token') ?? '';
      const expected = ctx.config.ADMIN_TOKEN;
      if (!expected || !token || !constantTimeEqual(token, expected)) {
        return reply.code(401).type('text/html; charset=utf-8').send(sessionPage(expected ? 'That is not the admin token.' : 'The admin API is disabled: set ADMIN_TOKEN.'));
      }
      const attributes = secureCookie ? 'SameSite=None; Secure' : 'SameSite=Lax';
      reply.header('set-cookie', `${SESSION_COOKIE}=${sessionValue(expected, 'codec', SESSION_SECONDS)}; Path=/codec; Max-Age=${SESSION_SECONDS}; HttpOnly; ${attributes}`);
      return reply.type('text/html; charset=utf-8').send(sessionPage(`Codec session open for ${SESSION_SECONDS / 3600} hours in this browser.`));
    });
  });
}

/** Undefined when the request carries the admin token (header) or a live session cookie; else the reason. */
function authorization(request: FastifyRequest, expected: string | undefined): string | undefined {
  if (!expected) return 'the codec endpoint is disabled: set ADMIN_TOKEN';
  const bearer = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  if (bearer) return constantTimeEqual(bearer, expected) ? undefined : 'invalid admin token';
  const session = cookieValue(request.headers.cookie, SESSION_COOKIE);
  if (!session) return 'admin token required (Authorization: Bearer, or a session from GET /codec/session)';
  const problem = sessionProblem(session, expected, 'codec');
  if (problem === 'session expired') return 'codec session expired: open GET /codec/session again';
  return problem ? 'invalid codec session' : undefined;
}

function sessionPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Temporal UI codec session</title></head>
<body><h1>Temporal UI codec session</h1>
${message ? `<p>${message}</p>` : ''}
<p>Workflow payloads are encrypted. To read them in the Temporal Web UI, open a session with the admin token, then in the
UI's codec server settings use this endpoint with "Include cross-origin credentials".</p>
<form method="post" action="session"><label>Admin token <input type="password" name="token" autocomplete="off"></label>
<button type="submit">Open session</button></form>
</body></html>
`;
}
