import type { FastifyInstance, FastifyRequest } from 'fastify';
import Fastify from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (JSON and form requests). */
    rawBody: string;
  }
}

/** One request a simulator received, kept so tests can assert on exactly what was sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: unknown;
  at: number;
}

/** A Fastify app that keeps raw bodies (JSON, form and text) and records every request. */
export function createSimulatorApp(): { app: FastifyInstance; requests: RecordedRequest[] } {
  // A test double closes at once, open keep-alive sockets and all: teardown never waits on a client's idle pool.
  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024, forceCloseConnections: true });
  const requests: RecordedRequest[] = [];
  app.decorateRequest('rawBody', '');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = body as string;
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const error = new Error('Invalid JSON body') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = body as string;
    done(null, body);
  });
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.url.startsWith('/_sim')) return;
    const url = new URL(request.url, 'http://simulator');
    requests.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      rawBody: request.rawBody,
      body: request.body,
      at: Date.now(),
    });
  });
  return { app, requests };
}

/** Listens on loopback (port 0 = any free port) and returns the base URL. */
export async function listenOnLoopback(app: FastifyInstance, port = 0): Promise<string> {
  const address = await app.listen({ host: '127.0.0.1', port });
  return address.replace('localhost', '127.0.0.1');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
