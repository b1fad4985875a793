import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabasePrefix } from '../support/testDatabase';
import { freePort, listening, waitFor } from '../support/waitFor';
import { walkThroughDemo } from './demoWalkthrough';

/**
 * `npm start` as a user runs it (the compiled supervisor, dist/src/main.js) on free ports: it comes up ready, and Ctrl-C
 * (SIGINT) stops the api, the worker, the simulators and the Temporal dev server, exits 0 and leaves nothing listening.
 */
const root = path.join(__dirname, '../..');

/** Processes still running with this argument on their command line (the dev server names its SQLite file). */
function processesMentioning(text: string): Array<{ pid: number; cmdline: string }> {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return { pid: Number(pid), cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') };
      } catch {
        return { pid: Number(pid), cmdline: '' };
      }
    })
    .filter(({ cmdline }) => cmdline.includes(text));
}

const database = `${testDatabasePrefix()}start`;
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl = () => Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  beforeAll(() => {
    // `npm run build`: the simulators package (the demo's, reached through node_modules), then the product.
    for (const project of ['simulators/tsconfig.json', 'tsconfig.build.json']) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { cwd: root, stdio: 'inherit' });
    }
  }, 180_000);
  afterAll(async () => {
    // A failed test leaves npm start running: stopped the way a user would, then whatever it left (its dev server).
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      child.kill('SIGKILL');
    }
    for (const { pid } of dataDir ? processesMentioning(dataDir) : []) process.kill(pid, 'SIGKILL');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`).finally(() => admin.end());
  });

  it('refuses to start the demo over a value the simulators would replace', () => {
    const refused = spawnSync(process.execPath, ['dist/src/main.js'], {
      cwd: root,
      env: { ...process.env, SIMULATORS: 'on', META_APP_SECRET: 'my-own-secret', PORT: '0', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-start-')), DATABASE_URL: databaseUrl() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(refused.status).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toContain('the simulators would replace META_APP_SECRET');
  });

  it('starts ready, runs the README demo, and stops cleanly on Ctrl-C', async () => {
    const [port, devPort, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TEMPORAL_DEV_PORT: String(devPort), TEMPORAL_UI_PORT: String(uiPort), WORKER_METRICS_PORT: String(metricsPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl() };
    delete env.TEMPORAL_ADDRESS;
    delete env.NODE_ENV;

    let output = '';
    child = spawn(process.execPath, ['dist/src/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    await waitFor(() => output.includes('[supervisor] running') || child?.exitCode !== null, { timeoutMs: 150_000, what: 'the supervisor running' }).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await listening(devPort)).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('ghlwa_http_requests_total');
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toContain('temporal_');
    expect(processesMentioning(dataDir)).not.toEqual([]);

    const simulators = /HighLevel (\S+), WhatsApp Cloud API (\S+), Twilio (\S+)/.exec(output);
    expect(output).toContain('templates approved: appointment_reminder, order_ready');
    await walkThroughDemo({ api: `http://127.0.0.1:${port}`, highLevel: simulators?.[1] as string, meta: new URL(simulators?.[2] as string).origin, twilio: simulators?.[3] as string });

    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 45_000))]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(output).toContain('[supervisor] stopped');
    for (const open of [port, devPort, uiPort, metricsPort]) expect(await listening(open)).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 300_000);
});
