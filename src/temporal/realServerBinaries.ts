import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findGo, goInstall, isExecutable, withDirectoryLock, type Progress } from './cli';

/** The real Temporal server's binaries (server, temporal-sql-tool) and PostgreSQL schema, built from the module proxy. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the same server version (its temporal/ and visibility/ versioned dirs). */
  schemaDir: string;
}

export function temporalServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(env.TEMPORAL_SERVER_CACHE_DIR || path.join(cacheRoot, 'ghl-whatsapp', 'temporal-server'), `v${TEMPORAL_SERVER_VERSION}`);
}

function cachedBinaries(dir: string): TemporalServerBinaries {
  return { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool'), schemaDir: path.join(dir, 'schema', 'postgresql', 'v12') };
}

function complete(binaries: TemporalServerBinaries): boolean {
  return isExecutable(binaries.server) && isExecutable(binaries.sqlTool) && fs.existsSync(path.join(binaries.schemaDir, 'visibility', 'versioned'));
}

/**
 * The server and temporal-sql-tool of TEMPORAL_SERVER_VERSION and its PostgreSQL schema, from the cache or built
 * into it with `go install` (minutes on first use, progress printed; the build runs once however many runs wait on it).
 */
export async function ensureTemporalServerBinaries(progress: Progress = console.log, env: NodeJS.ProcessEnv = process.env): Promise<TemporalServerBinaries> {
  const dir = temporalServerCacheDir(env);
  const binaries = cachedBinaries(dir);
  if (complete(binaries)) return binaries;
  fs.mkdirSync(dir, { recursive: true });
  await withDirectoryLock(path.join(dir, '.building'), progress, async () => {
    if (complete(binaries)) return;
    const version = `v${TEMPORAL_SERVER_VERSION}`;
    await goInstall(
      {
        what: `Temporal server ${version} and temporal-sql-tool`,
        dir,
        packages: [`${SERVER_MODULE}/cmd/server@${version}`, `${SERVER_MODULE}/cmd/tools/sql@${version}`],
        ldflags: '-s -w',
      },
      progress,
      env,
    );
    fs.renameSync(path.join(dir, 'server'), binaries.server);
    fs.renameSync(path.join(dir, 'sql'), binaries.sqlTool);
    // The schema files ship in the module, which the build just put in the module cache; keep our own copy.
    const go = findGo(env) as string;
    const moduleCache = spawnSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8', env }).stdout.trim();
    copyTree(path.join(moduleCache, `${SERVER_MODULE}@${version}`, 'schema', 'postgresql', 'v12'), binaries.schemaDir);
  });
  if (!complete(binaries)) throw new Error(`Temporal server build finished but ${dir} is incomplete`);
  return binaries;
}

/** Copies files with our own (writable) modes: the module cache's are read-only. */
function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(path.join(from, entry.name), path.join(to, entry.name));
    else fs.writeFileSync(path.join(to, entry.name), fs.readFileSync(path.join(from, entry.name)));
  }
}
