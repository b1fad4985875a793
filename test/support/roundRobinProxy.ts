import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * A loopback load balancer: each request goes to the next backend in turn, bytes unchanged (signatures stay valid).
 * `served` counts the requests each backend answered, by backend URL and path.
 */
export class RoundRobinProxy {
  readonly served = new Map<string, Map<string, number>>();
  private backends: URL[] = [];
  private next = 0;
  private origin = '';
  private readonly sockets = new Set<Socket>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly server = http.createServer((request, response) => this.forward(request, response));

  static async start(): Promise<RoundRobinProxy> {
    const proxy = new RoundRobinProxy();
    proxy.server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.origin = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  get url(): string {
    return this.origin;
  }

  setBackends(urls: string[]): void {
    this.backends = urls.map((url) => new URL(url));
  }

  /** Requests one backend answered on this path. */
  count(backend: string, path: string): number {
    return this.served.get(new URL(backend).origin)?.get(path) ?? 0;
  }

  private forward(request: http.IncomingMessage, response: http.ServerResponse): void {
    const backend = this.backends[this.next++ % Math.max(1, this.backends.length)];
    if (!backend) {
      response.writeHead(503).end('no backend');
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const upstream = http.request(
      { host: backend.hostname, port: backend.port, method: request.method, path: request.url, headers, agent: this.agent },
      (answer) => {
        const path = (request.url ?? '/').split('?')[0] as string;
        const byPath = this.served.get(backend.origin) ?? new Map<string, number>();
        byPath.set(path, (byPath.get(path) ?? 0) + 1);
        this.served.set(backend.origin, byPath);
        const answerHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
        response.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(response);
      },
    );
    upstream.once('error', () => {
      if (!response.headersSent) response.writeHead(502).end('backend unreachable');
      else response.destroy();
    });
    request.pipe(upstream);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await closed;
  }
}
