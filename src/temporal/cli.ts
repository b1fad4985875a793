import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The newest Temporal CLI tag that `go install` accepts (later tags carry `replace` directives). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type Progress = (line: string) => void;

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(env.TEMPORAL_CLI_CACHE_DIR || path.join(cacheRoot, 'ghl-whatsapp', 'temporal-cli'), `v${TEMPORAL_CLI_VERSION}`);
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, a `temporal` on PATH, the cache, or builds the pinned tag
 * from the Go module proxy into the cache (minutes on first use, reused afterwards).
 */
export async function ensureTemporalCli(progress: Progress = console.log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) throw new Error(`TEMPORAL_CLI_PATH: no executable at ${env.TEMPORAL_CLI_PATH}`);
    return env.TEMPORAL_CLI_PATH;
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return fromPath;

  const dir = temporalCliCacheDir(env);
  const binary = path.join(dir, 'temporal');
  if (isExecutable(binary)) return binary;

  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.building');
  await withDirectoryLock(lock, progress, async () => {
    if (isExecutable(binary)) return;
    await buildCli(dir, progress, env);
  });
  if (!isExecutable(binary)) throw new Error(`Temporal CLI build finished but ${binary} is missing`);
  return binary;
}

function buildCli(dir: string, progress: Progress, env: NodeJS.ProcessEnv): Promise<void> {
  if (!findGo(env)) throw new Error('Temporal CLI not found and no Go toolchain to build it: install Go or set TEMPORAL_CLI_PATH');
  return goInstall(
    {
      what: `Temporal CLI v${TEMPORAL_CLI_VERSION}`,
      dir,
      packages: [`${CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`],
      ldflags: `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
    },
    progress,
    env,
  );
}

export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GO_BINARY || onPath('go', env) || (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** `go install` of pinned packages from the Go module proxy into dir, with progress lines (minutes on first use). */
export async function goInstall(
  build: { what: string; dir: string; packages: string[]; ldflags: string },
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const go = findGo(env);
  if (!go) throw new Error(`no Go toolchain to build ${build.what}: install Go`);
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  progress(`[temporal] building ${build.what} with ${goVersion} into ${build.dir} (first time only; takes minutes)`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`[temporal] still building ${build.what}… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', '-trimpath', '-ldflags', build.ldflags, ...build.packages], {
        env: { ...env, GOBIN: build.dir, CGO_ENABLED: '0', GOFLAGS: '-modcacherw' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let downloads = 0;
      const tail: string[] = [];
      const onLine = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          tail.push(line);
          if (tail.length > 30) tail.shift();
          if (line.startsWith('go: downloading') && ++downloads % 25 === 0) progress(`[temporal] ${downloads} modules downloaded…`);
        }
      };
      child.stdout.on('data', onLine);
      child.stderr.on('data', onLine);
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install failed (exit ${code}):\n${tail.join('\n')}`))));
    });
  } finally {
    clearInterval(ticker);
  }
  progress(`[temporal] built ${build.what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** A directory lock so parallel runs (tests, a second terminal) build once; a lock older than 30 min is stale. */
export async function withDirectoryLock(lock: string, progress: Progress, work: () => Promise<void>): Promise<void> {
  for (let waited = 0; ; waited += 2) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 30 * 60_000) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited % 30 === 0) progress(`[temporal] another process is building into ${path.dirname(lock)}; waiting…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
