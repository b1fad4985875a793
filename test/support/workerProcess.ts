import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A worker running in a child process: `kill()` is a host that dies mid-task (SIGKILL), nothing cleaned up. */
export interface WorkerProcess {
  /** False once the process has exited, for whatever reason. */
  readonly alive: boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface WorkerProcessOptions {
  /** The script to run: default the test worker (workerMain.ts); the product's own is src/worker.ts. */
  script?: string;
  /** Output that says the worker polls. */
  ready?: RegExp;
  /** Everything the process writes, stdout and stderr. */
  onOutput?: (text: string) => void;
}

export async function startWorkerProcess(env: Record<string, string>, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'swcRegister.js'), options.script ?? path.join(__dirname, 'workerMain.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = options.ready ?? /worker ready/;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      options.onOutput?.(chunk.toString());
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker process exited (${code}) before it was ready: ${output.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`worker process not ready within 60 s: ${output.slice(-2000)}`)), 60_000).unref();
  });
  return {
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
