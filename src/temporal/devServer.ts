import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { ensureTemporalCli, type Progress } from './cli';

export interface DevServer {
  address: string;
  uiUrl: string;
  /** Undefined when an already running dev server on the port was reused. */
  process?: ChildProcess;
  stop(): Promise<void>;
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The embedded default: `temporal server start-dev` with its SQLite file in the data directory and the
 * Web UI on uiPort, the project's search attributes registered. Reuses a server already on the port.
 */
export async function startDevServer(options: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The api's remote codec (`<PUBLIC_BASE_URL>/codec`): the Web UI decodes payloads through it. */
  uiCodecEndpoint?: string;
  progress?: Progress;
}): Promise<DevServer> {
  const progress = options.progress ?? console.log;
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  if (await portOpen(options.port)) {
    progress(`[temporal] reusing the server already listening on ${address}`);
    return { address, uiUrl, stop: async () => {} };
  }
  const cli = await ensureTemporalCli(progress);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    '--namespace', options.namespace,
    '--db-filename', path.join(options.dataDir, 'temporal.db'),
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    '--log-level', 'warn',
    // Eager activities: an activity the worker schedules starts in the answer to its workflow task (less work for the
    // server, see the README's "Worker options"); off by default in the server.
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
  const logFile = fs.openSync(path.join(options.dataDir, 'temporal.log'), 'a');
  // Its own process group: a terminal's Ctrl-C reaches only `npm start`'s supervisor, which stops the api and the
  // worker first and the dev server last (otherwise the server would go while the worker still drains).
  const child = spawn(cli, args, { stdio: ['ignore', logFile, logFile], detached: true });
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));

  const deadline = Date.now() + 60_000;
  while (!(await portOpen(options.port))) {
    if (exited !== null) throw new Error(`temporal server start-dev exited with ${exited}; see ${path.join(options.dataDir, 'temporal.log')}`);
    if (Date.now() > deadline) throw new Error('temporal server start-dev did not open its port within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address,
    uiUrl,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
