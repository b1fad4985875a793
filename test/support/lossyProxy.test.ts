import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, isNetworkError } from '../../src/providers/http';
import { LossyProxy } from './lossyProxy';
import { seededRandom } from './seededRandom';
import { failureOf } from './waitFor';

/** A stand-in provider: records what it processed and answers 201 with an id. */
async function startUpstream() {
  const processed: Array<{ method: string; url: string; body: string }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      processed.push({ method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      response.end(JSON.stringify({ id: `msg-${processed.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { processed, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: LossyProxy;

beforeEach(async () => {
  upstream = await startUpstream();
  proxy = await LossyProxy.start(`${upstream.origin}/v23.0`);
});
afterEach(async () => {
  await proxy.stop();
  await upstream.close();
});

const send = (body: string, options: { timeoutMs?: number } = {}) =>
  httpRequest(`${proxy.baseUrl}/123/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...options });

describe('LossyProxy', () => {
  it('passes requests through unchanged (path prefix, body, status, headers) and records them', async () => {
    const response = await send('{"n":1}');
    expect(proxy.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v23\.0$/);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 'msg-1' });
    expect(response.headers['x-upstream']).toBe('yes');
    expect(upstream.processed).toEqual([{ method: 'POST', url: '/v23.0/123/messages', body: '{"n":1}' }]);
    expect(proxy.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v23.0/123/messages', body: '{"n":1}', fate: 'passed', upstreamStatus: 201 }),
    ]);
  });

  it('drops the answer of a request the upstream processed: the client sees a socket error', async () => {
    proxy.dropResponses({ method: 'POST', path: '/v23.0/123/messages' });

    const error = await failureOf(send('{"n":1}'));

    expect(upstream.processed).toHaveLength(1); // the provider accepted it …
    expect(error.code).toBe('UND_ERR_SOCKET'); // … and the client only saw the connection close
    expect(isNetworkError(error)).toBe(true);
    expect(proxy.requests[0]).toMatchObject({ fate: 'response_dropped', upstreamStatus: 201, upstreamBody: '{"id":"msg-1"}' });
    // Armed for one request only: the next one passes.
    expect((await send('{"n":2}')).status).toBe(201);
  });

  it('can close a dropped answer with a reset instead: the client sees ECONNRESET, the upstream processed it', async () => {
    proxy.dropResponses({ method: 'POST' }, 1, { close: 'rst' });

    const error = await failureOf(send('{"n":1}'));

    expect(error.code).toBe('ECONNRESET');
    expect(upstream.processed).toHaveLength(1);
    expect(proxy.requests[0]).toMatchObject({ fate: 'response_dropped', upstreamStatus: 201 });
  });

  it('holds a dropped answer until the client gives up: the client sees its own timeout', async () => {
    proxy.dropResponses({ method: 'POST' }, 1, { holdMs: Infinity });

    const error = await failureOf(send('{"n":1}', { timeoutMs: 300 }));

    expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(upstream.processed).toHaveLength(1);
  });

  it('resets a connection before forwarding: the client sees ECONNRESET, the upstream nothing', async () => {
    proxy.resetConnections({ method: 'POST', path: /\/messages$/ });

    const error = await failureOf(send('{"n":1}'));

    expect(upstream.processed).toHaveLength(0);
    expect(error.code).toBe('ECONNRESET');
    expect(isNetworkError(error)).toBe(true);
    expect(proxy.requests[0]).toMatchObject({ fate: 'reset', body: '{"n":1}' });
    expect(proxy.requests[0]?.upstreamStatus).toBeUndefined();
  });

  it('only touches requests matching the method and path', async () => {
    proxy.dropResponses({ method: 'POST', path: '/v23.0/123/messages' }, 2);

    const get = await httpRequest(`${proxy.baseUrl}/123/messages`, { method: 'GET' });
    const other = await httpRequest(`${proxy.baseUrl}/456/messages`, { method: 'POST', body: '{}' });

    expect([get.status, other.status]).toEqual([200, 201]);
    expect(proxy.matching({ method: 'POST', path: '/v23.0/123/messages' })).toHaveLength(0);
    proxy.passThrough();
    expect((await send('{}')).status).toBe(201);
  });

  it('draws the fate of each matching request at random: lost answers, resets and passes in the asked shares', async () => {
    proxy.faultAtRandom({ method: 'POST', path: /\/messages$/ }, { loseAnswers: 0.3, reset: 0.2, random: seededRandom(7) });

    const fates: string[] = [];
    for (let n = 0; n < 60; n += 1) {
      const outcome = await send(`{"n":${n}}`, { timeoutMs: 300 }).then(() => 'answered', (error: Error & { code?: string }) => error.code ?? 'other');
      fates.push(outcome);
    }
    const count = (fate: string) => proxy.requests.filter((request) => request.fate === fate).length;

    expect(count('response_dropped')).toBeGreaterThan(6);
    expect(count('reset')).toBeGreaterThan(3);
    expect(count('passed')).toBeGreaterThan(15);
    // Every lost answer was processed upstream; a reset never reached it.
    expect(upstream.processed).toHaveLength(count('response_dropped') + count('passed'));
    expect(new Set(fates.filter((fate) => fate !== 'answered'))).toEqual(new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT']));
    expect((await httpRequest(`${proxy.baseUrl}/123/status`, { method: 'GET' })).status).toBe(200);
  });
});
