import net from 'node:net';

/**
 * A TCP relay in front of PostgreSQL that a test can "stop" and "start" like the server itself: stopped, every open
 * connection is cut and new ones are refused (ECONNREFUSED, as from a stopped server); started, it listens again on the
 * same port. The shared PostgreSQL other test files use is never touched.
 */
export class DatabaseRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly target: URL,
    private port: number,
  ) {}

  static async start(databaseUrl: string): Promise<DatabaseRelay> {
    const relay = new DatabaseRelay(new URL(databaseUrl), 0);
    await relay.resume();
    return relay;
  }

  /** The database URL with the relay as host. */
  get url(): string {
    const url = new URL(this.target.toString());
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  /** Like stopping the server: connections cut, new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Like starting it again, on the same port. */
  async resume(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((inbound) => {
      const outbound = net.connect(Number(this.target.port || 5432), this.target.hostname);
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        socket.on('close', () => (socket === inbound ? outbound : inbound).destroy());
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

}
