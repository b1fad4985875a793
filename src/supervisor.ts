import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Runs the api and the worker as child Node processes for `npm start` (src/main.ts):
 * - each child is `node --require childGuard.js <entry>` in its own process group, so a terminal's Ctrl-C reaches only
 *   the supervisor, which then stops the children first, and the children stop themselves if the supervisor vanishes;
 * - their stdout/stderr are forwarded line by line, prefixed with `[api]` / `[worker]`;
 * - stop(): SIGTERM to every child (each runs its own graceful shutdown), SIGKILL to the process group of any child
 *   still alive after the grace period;
 * - a child that exits while nobody asked it to is reported through onUnexpectedExit (the caller stops everything and
 *   exits non-zero: a crash is visible, and in production the service manager restarts the separate services).
 */
export interface ChildSpec {
  name: string;
  /** The compiled entry point (dist/src/api.js, dist/src/worker.js, …). */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Arguments after the entry point. */
  args?: string[];
  /** Extra node flags (e.g. --max-old-space-size). */
  nodeArgs?: string[];
}

export interface ChildExit {
  name: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedChild {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Resolves when the process has exited (whatever the reason). */
  exited: Promise<ChildExit>;
}

export interface SupervisorOptions {
  /** How long each child gets between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** Where the children's prefixed output lines go (default: this process's stdout/stderr). */
  output?: { stdout: (line: string) => void; stderr: (line: string) => void };
  say?: (line: string) => void;
}

const CHILD_GUARD = path.join(__dirname, 'childGuard.js');

export class Supervisor {
  readonly children: SupervisedChild[] = [];
  private stopping = false;
  private readonly graceMs: number;
  private readonly output: NonNullable<SupervisorOptions['output']>;
  private readonly say: (line: string) => void;
  private readonly unexpected: Array<(exit: ChildExit) => void> = [];

  constructor(options: SupervisorOptions = {}) {
    this.graceMs = options.graceMs ?? 15_000;
    this.output = options.output ?? { stdout: writeLine(process.stdout), stderr: writeLine(process.stderr) };
    this.say = options.say ?? writeLine(process.stdout);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  onUnexpectedExit(listener: (exit: ChildExit) => void): void {
    this.unexpected.push(listener);
  }

  start(spec: ChildSpec): SupervisedChild {
    if (this.stopping) throw new Error(`not starting ${spec.name}: stopping`);
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), '--require', CHILD_GUARD, spec.entry, ...(spec.args ?? [])], {
      env: { ...spec.env, GHLWA_SUPERVISED: '1', GHLWA_CHILD_ROLE: spec.name },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: Ctrl-C in the terminal goes to the supervisor only
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.entry})`);
    forwardLines(child.stdout, `[${spec.name}] `, this.output.stdout);
    forwardLines(child.stderr, `[${spec.name}] `, this.output.stderr);
    const pid = child.pid;
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ name: spec.name, pid, code, signal }));
      child.once('error', () => resolve({ name: spec.name, pid, code: -1, signal: null }));
    });
    void exited.then((exit) => {
      if (this.stopping) return;
      for (const listener of this.unexpected) listener(exit);
    });
    const supervised: SupervisedChild = { name: spec.name, process: child, pid, exited };
    this.children.push(supervised);
    return supervised;
  }

  /** SIGTERM to all children at once, SIGKILL (whole process group) to those still running after the grace period. */
  async stop(): Promise<ChildExit[]> {
    this.stopping = true;
    return Promise.all(this.children.map((child) => this.stopChild(child)));
  }

  private async stopChild(child: SupervisedChild): Promise<ChildExit> {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
    signal(child.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.say(`[supervisor] ${child.name} (pid ${child.pid}) did not stop within ${Math.round(this.graceMs / 1000)} s: SIGKILL`);
        signal(-child.pid, 'SIGKILL');
        signal(child.pid, 'SIGKILL');
        resolve();
      }, this.graceMs);
    });
    const exit = await Promise.race([child.exited, killed.then(() => child.exited)]);
    clearTimeout(timer);
    // Anything the child left behind in its process group (it should be nothing) goes too.
    signal(-child.pid, 'SIGKILL');
    return exit;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function writeLine(stream: NodeJS.WriteStream): (line: string) => void {
  return (line) => {
    try {
      stream.write(`${line}\n`);
    } catch {
      // a closed terminal or pipe must not take the supervisor down
    }
  };
}

function forwardLines(stream: NodeJS.ReadableStream | null, prefix: string, sink: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) sink(prefix + line);
  });
  stream.on('end', () => {
    if (pending) sink(prefix + pending);
    pending = '';
  });
  stream.on('error', () => undefined);
}

/** Config values as environment strings for a child (undefined entries are left out). */
export function asEnv(values: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null) env[key] = String(value);
  return env;
}
