import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import type { Progress } from './cli';
import { ensureSearchAttributes } from './connection';
import { portOpen } from './devServer';
import { ensureTemporalServerBinaries, TEMPORAL_SERVER_VERSION, type TemporalServerBinaries } from './realServerBinaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';

/**
 * A real Temporal cluster (the scale-out mode): Temporal's own server binary on PostgreSQL, with its schema set up by
 * Temporal's own SQL tool, several history shards and SQL advanced visibility (custom search attributes). Built from
 * the Go module proxy like the CLI: the same server version the pinned CLI (v1.5.1) embeds.
 */
export interface RealTemporalServerOptions {
  /**
   * The cluster's databases: `<databaseName>` and `<databaseName>_visibility`, created when missing. Tests and the bench
   * name them for the run, so parallel runs never share one; numHistoryShards is fixed when they are created.
   */
  databaseName: string;
  /** The PostgreSQL server (any database path is ignored). */
  postgresUrl?: string;
  namespace?: string;
  numHistoryShards?: number;
  /** The frontend's gRPC port; a free one when unset. Every other port (membership, internal services) is free. */
  port?: number;
  /** Config, dynamic config and the server's log go here; a new temp dir when unset. */
  workDir?: string;
  /** Drop both databases (and a temp workDir) in stop(): tests, bench. Otherwise the data stays for the next start. */
  dropDatabasesOnStop?: boolean;
  progress?: Progress;
}

export interface RealTemporalServer {
  address: string;
  namespace: string;
  databases: { main: string; visibility: string };
  workDir: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

/**
 * Creates the databases and schema with temporal-sql-tool, writes a development-postgres12-style config, starts the
 * server (all four services in one process, each on its own ports), registers the namespace and the project's search
 * attributes, and resolves once the frontend answers visibility queries on them.
 */
export async function startRealTemporalServer(options: RealTemporalServerOptions): Promise<RealTemporalServer> {
  const progress = options.progress ?? console.log;
  const namespace = options.namespace ?? 'default';
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(options.databaseName)) throw new Error(`databaseName: lower-case letters, digits and _ only (got ${options.databaseName})`);
  const databases = { main: options.databaseName, visibility: `${options.databaseName}_visibility` };
  const postgres = new URL(options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const binaries = await ensureTemporalServerBinaries(progress);
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-temporal-'));

  const started = Date.now();
  await setUpSchema(binaries, postgres, databases.main, path.join(binaries.schemaDir, 'temporal', 'versioned'));
  await setUpSchema(binaries, postgres, databases.visibility, path.join(binaries.schemaDir, 'visibility', 'versioned'));
  progress(`[temporal] schema of ${databases.main} and ${databases.visibility} set up in ${Date.now() - started} ms`);

  const ports = await freePorts(2 * SERVICES.length + 1);
  const frontendPort = options.port ?? (ports.pop() as number);
  const address = `127.0.0.1:${frontendPort}`;
  fs.mkdirSync(path.join(workDir, 'config'), { recursive: true });
  const dynamicConfigFile = path.join(workDir, 'config', 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  fs.writeFileSync(
    path.join(workDir, 'config', 'development.yaml'),
    serverConfig({ postgres, databases, numHistoryShards: options.numHistoryShards ?? 8, frontendPort, ports, dynamicConfigFile }),
  );
  const logFile = path.join(workDir, 'temporal.log');
  const log = fs.openSync(logFile, 'a');
  // Its own process group, like the dev server: a terminal's Ctrl-C reaches the owner, which stops it last.
  const child = spawn(binaries.server, ['--root', workDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  let exitCode: number | null = null;
  child.once('exit', (code, signal) => (exitCode = code ?? (signal ? -1 : 0)));
  // An owner that exits without stop() (a test run cut short) takes the server with it.
  const killWithOwner = () => child.kill('SIGKILL');
  process.once('exit', killWithOwner);

  const stopProcess = () =>
    new Promise<void>((resolve) => {
      if (exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
  const stop = async () => {
    await stopProcess();
    process.removeListener('exit', killWithOwner);
    if (!options.dropDatabasesOnStop) return;
    await dropDatabases(postgres, [databases.main, databases.visibility]);
    if (!options.workDir) fs.rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 120_000;
    const alive = (lastError?: unknown) => {
      if (exitCode !== null) throw new Error(`temporal-server exited with ${exitCode}:\n${tailOf(logFile)}`);
      const last = lastError ? ` (last answer: ${(lastError as Error).message})` : '';
      if (Date.now() > deadline) throw new Error(`temporal-server not ready within 120 s${last}:\n${tailOf(logFile)}`);
    };
    while (!(await portOpen(frontendPort))) {
      alive();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Lazy: the frontend opens its port before it answers; every call below is retried until it does.
    const connection = Connection.lazy({ address, connectTimeout: '5s' });
    try {
      await registerNamespace(new Client({ connection, namespace }), namespace, alive);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  progress(`[temporal] real server v${TEMPORAL_SERVER_VERSION} on ${address} (namespace ${namespace}, log ${logFile}) ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return { address, namespace, databases, workDir, logFile, process: child, stop };
}

/** Retries until the cluster answers (its services join their ring after the frontend's port opens). */
async function untilAnswered<T>(alive: (lastError?: unknown) => void, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      alive(error);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function registerNamespace(client: Client, namespace: string, alive: (lastError?: unknown) => void): Promise<void> {
  const service = client.connection.workflowService;
  await untilAnswered(alive, async () => {
    try {
      await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    } catch (error) {
      // A restart on kept databases: the namespace is there already.
      if ((error as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw error;
    }
  });
  await untilAnswered(alive, () => ensureSearchAttributes(client, namespace));
  // Ready when the frontend's namespace registry knows the namespace and its search attributes (refreshed every 1 s).
  const query = ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name} = 'ready'`).join(' OR ');
  await untilAnswered(alive, () => service.countWorkflowExecutions({ namespace, query }));
}

function sqlTool(binaries: TemporalServerBinaries, postgres: URL, database: string, args: string[]): Promise<void> {
  const connect = ['--plugin', 'postgres12', '--endpoint', postgres.hostname, '--port', postgres.port || '5432', '--user', decodeURIComponent(postgres.username || 'postgres')];
  if (postgres.password) connect.push('--password', decodeURIComponent(postgres.password));
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.sqlTool, [...connect, '--database', database, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`temporal-sql-tool ${args[0]} ${database} failed (exit ${code}):\n${output.slice(-3000)}`))));
  });
}

/**
 * Temporal's documented PostgreSQL steps: create-database, setup-schema -v 0.0, update-schema to the latest version.
 * A database kept from an earlier start only gets update-schema (a no-op unless the server version moved on).
 */
async function setUpSchema(binaries: TemporalServerBinaries, postgres: URL, database: string, versionedDir: string): Promise<void> {
  if (!(await withPostgres(postgres, async (admin) => (await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount))) {
    await sqlTool(binaries, postgres, database, ['create-database']);
    await sqlTool(binaries, postgres, database, ['setup-schema', '-v', '0.0']);
  }
  await sqlTool(binaries, postgres, database, ['update-schema', '-d', versionedDir]);
}

async function withPostgres<T>(postgres: URL, work: (admin: PgClient) => Promise<T>): Promise<T> {
  const admin = new PgClient({ connectionString: postgres.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function dropDatabases(postgres: URL, names: string[]): Promise<void> {
  return withPostgres(postgres, async (admin) => {
    for (const name of names) await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
  });
}

/**
 * Distinct free loopback ports, all held open at once so none is handed out twice. Below 32768: Temporal stores
 * membership ports in a smallint column, and the kernel's ephemeral range (what `listen(0)` picks) starts there.
 */
async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = [];
  const listenOn = (port: number) =>
    new Promise<net.Server | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let tries = 0; held.length < count; tries += 1) {
    if (tries > 1000) throw new Error('no free loopback ports below 32768');
    const server = await listenOn(20_000 + Math.floor(Math.random() * 12_000));
    if (server) held.push(server);
  }
  const ports = held.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The last lines of the server's log, each cut short (its errors carry whole stack traces). */
function tailOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-12).map((line) => line.slice(0, 400)).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Eager activities as on the embedded dev server (README, "Worker options"); the namespace registry refreshed every
 * second so a new namespace and its search attributes are usable at once.
 */
const DYNAMIC_CONFIG = `system.enableActivityEagerExecution:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 1s
`;

function serverConfig(setup: {
  postgres: URL;
  databases: { main: string; visibility: string };
  numHistoryShards: number;
  frontendPort: number;
  ports: number[];
  dynamicConfigFile: string;
}): string {
  const { postgres } = setup;
  const datastore = (database: string, maxConns: number, maxIdleConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${postgres.hostname}:${postgres.port || '5432'}"
        connectProtocol: "tcp"
        user: "${decodeURIComponent(postgres.username || 'postgres')}"
        password: "${decodeURIComponent(postgres.password)}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxIdleConns}
        maxConnLifetime: "1h"`;
  const ports = [...setup.ports];
  const service = (name: string) => {
    const grpcPort = name === 'frontend' ? setup.frontendPort : ports.shift();
    return `  ${name}:
    rpc:
      grpcPort: ${grpcPort}
      membershipPort: ${ports.shift()}
      bindOnLocalHost: true`;
  };
  // Each of the four services opens its own pools: 4 × (6 + 2) connections at most on the shared PostgreSQL, fewer idle.
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${setup.numHistoryShards}
  datastores:
    postgres-default:
${datastore(setup.databases.main, 6, 2)}
    postgres-visibility:
${datastore(setup.databases.visibility, 2, 1)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
${SERVICES.map(service).join('\n')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${setup.frontendPort}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: "${setup.dynamicConfigFile}"
  pollInterval: "10s"
`;
}
