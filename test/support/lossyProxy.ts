import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback pass-through HTTP proxy placed in front of a simulator, for "the provider accepted, the answer was
 * lost" tests. Point a client at `proxy.baseUrl` instead of the simulator's base URL; every request is forwarded
 * unchanged unless a fault is armed for it:
 * - `dropResponses`: the request IS forwarded and processed upstream, then the client's connection is held (for
 *   `holdMs`, or until the client gives up) and destroyed without an answer: the client sees a socket error or its
 *   own timeout, the provider has the message.
 * - `resetConnections`: the client's connection is reset (TCP RST) before anything is forwarded: the client sees
 *   ECONNRESET and the provider never saw the request. From the client's side the two look alike; that is the point.
 * Everything forwarded (or refused) is recorded in `requests`.
 */

export type RequestPredicate = { method?: string; path?: string | RegExp } | ((request: { method: string; path: string }) => boolean);

export type RequestFate = 'passed' | 'response_dropped' | 'reset';

export interface ProxiedRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  /** Path without the query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  fate: RequestFate;
  /** The upstream's status; absent when the request was reset before forwarding or the upstream failed. */
  upstreamStatus?: number;
  upstreamBody?: string;
  at: number;
}

/** Faults drawn per request (a drill): a lost answer (closed with FIN, RST, or held until the client gives up) or a reset. */
export interface RandomFaults {
  /** Share of matching requests whose answer is lost after the upstream processed them. */
  loseAnswers: number;
  /** Share of matching requests reset before anything is forwarded. */
  reset?: number;
  /** A seeded generator in [0, 1), so a failing drill can be run again with the same draws. */
  random: () => number;
}

/** What happens to one request. */
interface Fault {
  kind: 'drop' | 'reset';
  holdMs: number;
  close: 'fin' | 'rst';
}

interface ArmedFault extends Fault {
  matches: (request: { method: string; path: string }) => boolean;
  remaining: number;
}

function predicate(match: RequestPredicate): (request: { method: string; path: string }) => boolean {
  if (typeof match === 'function') return match;
  return ({ method, path }) =>
    (match.method === undefined || match.method.toUpperCase() === method) &&
    (match.path === undefined || (typeof match.path === 'string' ? match.path === path : match.path.test(path)));
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

export class LossyProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly faults: ArmedFault[] = [];
  private randomFaults?: { matches: (request: { method: string; path: string }) => boolean; faults: RandomFaults };
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<{ timer?: NodeJS.Timeout; socket: Socket }>();
  private readonly upstream: URL;
  private readonly agent = new http.Agent({ keepAlive: true });
  private origin = '';

  private constructor(upstreamBaseUrl: string, private readonly server: http.Server) {
    this.upstream = new URL(upstreamBaseUrl);
    if (this.upstream.protocol !== 'http:') throw new Error('LossyProxy forwards to http:// upstreams only');
  }

  /** Starts on a free loopback port in front of `upstreamBaseUrl` (an origin, optionally with a path prefix). */
  static async start(upstreamBaseUrl: string): Promise<LossyProxy> {
    const server = http.createServer();
    const proxy = new LossyProxy(upstreamBaseUrl, server);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (request, response) => void proxy.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** The proxy's origin plus the upstream's path prefix: use it wherever the upstream base URL was used. */
  get baseUrl(): string {
    return `${this.origin}${this.upstream.pathname.replace(/\/+$/, '')}`;
  }

  /**
   * The next `count` requests matching `match` are processed upstream, and their answer never reaches the client:
   * the connection is held `holdMs` (default 0; Infinity: until the client closes it, i.e. the client's timeout) and
   * then closed: `fin` (default; undici reports SocketError "other side closed") or `rst` (ECONNRESET).
   */
  dropResponses(match: RequestPredicate, count = 1, options: { holdMs?: number; close?: 'fin' | 'rst' } = {}): void {
    this.faults.push({ kind: 'drop', matches: predicate(match), remaining: count, holdMs: options.holdMs ?? 0, close: options.close ?? 'fin' });
  }

  /** The next `count` requests matching `match` have their connection reset before anything is forwarded. */
  resetConnections(match: RequestPredicate, count = 1): void {
    this.faults.push({ kind: 'reset', matches: predicate(match), remaining: count, holdMs: 0, close: 'rst' });
  }

  /**
   * From now on every request matching `match` draws its fate: its answer lost (closed with FIN or RST, or held until
   * the client's own timeout, a third each), its connection reset, or passed. Armed faults are taken first.
   */
  faultAtRandom(match: RequestPredicate, faults: RandomFaults): void {
    this.randomFaults = { matches: predicate(match), faults };
  }

  /** Disarms every fault not yet used, and the random ones. */
  passThrough(): void {
    this.faults.length = 0;
    this.randomFaults = undefined;
  }

  /** Recorded requests matching `match`. */
  matching(match: RequestPredicate): ProxiedRequest[] {
    const test = predicate(match);
    return this.requests.filter((request) => test(request));
  }

  async stop(): Promise<void> {
    for (const entry of this.held) clearTimeout(entry.timer);
    this.held.clear();
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && candidate.matches({ method, path }));
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return fault;
    }
    return this.drawFault(method, path);
  }

  private drawFault(method: string, path: string): Fault | undefined {
    if (!this.randomFaults?.matches({ method, path })) return undefined;
    const { loseAnswers, reset = 0, random } = this.randomFaults.faults;
    const draw = random();
    if (draw < loseAnswers) {
      const how = Math.floor(random() * 3);
      return { kind: 'drop', holdMs: how === 2 ? Number.POSITIVE_INFINITY : 0, close: how === 1 ? 'rst' : 'fin' };
    }
    if (draw < loseAnswers + reset) return { kind: 'reset', holdMs: 0, close: 'rst' };
    return undefined;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = request.url ?? '/';
    const method = (request.method ?? 'GET').toUpperCase();
    const path = url.split('?')[0] ?? url;
    const fault = this.takeFault(method, path);
    const record: ProxiedRequest = { method, url, path, headers: request.headers, body: body.toString('utf8'), fate: 'passed', at: Date.now() };
    this.requests.push(record);

    if (fault?.kind === 'reset') {
      record.fate = 'reset';
      request.socket.resetAndDestroy();
      return;
    }

    let upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      upstream = await this.forward(method, url, request.headers, body);
    } catch (error) {
      record.upstreamBody = String(error);
      response.writeHead(502, { 'content-type': 'text/plain' }).end(`LossyProxy: upstream failed: ${String(error)}`);
      return;
    }
    record.upstreamStatus = upstream.status;
    record.upstreamBody = upstream.body.toString('utf8');

    if (fault?.kind === 'drop') {
      record.fate = 'response_dropped';
      this.hold(request.socket, fault.holdMs, fault.close);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upstream.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    headers['content-length'] = upstream.body.length;
    response.writeHead(upstream.status, headers).end(upstream.body);
  }

  /** Keeps the socket open without answering, then closes it (Infinity: until the client closes it). */
  private hold(socket: Socket, holdMs: number, close: 'fin' | 'rst'): void {
    const entry: { timer?: NodeJS.Timeout; socket: Socket } = { socket };
    this.held.add(entry);
    socket.once('close', () => {
      clearTimeout(entry.timer);
      this.held.delete(entry);
    });
    if (Number.isFinite(holdMs)) {
      entry.timer = setTimeout(() => {
        this.held.delete(entry);
        if (close === 'rst') socket.resetAndDestroy();
        else socket.destroy();
      }, Math.max(0, holdMs));
    }
  }

  private forward(method: string, url: string, incoming: http.IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(incoming)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    headers.host = this.upstream.host;
    if (body.length > 0 || !['GET', 'HEAD'].includes(method)) headers['content-length'] = body.length;
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { protocol: 'http:', hostname: this.upstream.hostname, port: this.upstream.port, method, path: url, headers, agent: this.agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
