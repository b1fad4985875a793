import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { SupervisedChild } from '../../../src/supervisor';
import { sleep } from './load';

/** A system the bench measures: where to post, which processes and databases are its cost, how to stop it. */
export interface SystemUnderTest {
  name: string;
  deliveryUrl: string;
  webhookUrl: string;
  /** Processes whose CPU and memory are measured (discovered after start). */
  processes: Array<{ label: string; pid: number }>;
  /** PostgreSQL database whose backends and commits are measured. */
  database?: string;
  /** A real Temporal cluster's own databases, whose backends are measured apart. */
  temporalDatabases?: string[];
  sqlStatsDir?: string;
  temporal?: { client: Client; workflowType: string; workflowIdOf(messageId: string): string };
  stop(): Promise<string>;
}

/**
 * One bench run's scratch space and bookkeeping: temporary DATA_DIRs and the SQL counter's files (removed at the end),
 * the systems' last output lines (printed when something fails), and whatever was started, stopped again at the end
 * (stopping twice is harmless).
 */
export class BenchSession {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-bench-'));
  readonly logTail: string[] = [];
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  readonly keepLine = (line: string): void => {
    this.logTail.push(line);
    if (this.logTail.length > 300) this.logTail.shift();
  };
  readonly quietOutput = { stdout: this.keepLine, stderr: this.keepLine };

  onCleanup(...steps: Array<() => Promise<unknown>>): void {
    this.cleanups.push(...steps);
  }

  async cleanUp(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    this.cleanups.length = 0;
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Where `tsc -p tsconfig.bench.json` put the product's compiled sources. */
export const distRoot = path.resolve(__dirname, '..', '..', '..');

/** Polls until `check` holds; stops early with the reason `failed` gives (a process that exited). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = failed?.();
    if (failure) throw new Error(`${what}: ${failure}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
}

export const answers = (url: string) => async () => {
  await fetch(url, { signal: AbortSignal.timeout(1000) });
  return true;
};

export function exitedEarly(child: SupervisedChild): () => string | undefined {
  return () => (child.process.exitCode !== null || child.process.signalCode !== null ? `${child.name} exited (${child.process.signalCode ?? child.process.exitCode})` : undefined);
}

