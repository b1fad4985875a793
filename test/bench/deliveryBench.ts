/**
 * Throughput, latency and memory of the whole delivery path on this machine: `npm run bench [-- messages concurrency]`.
 * Real stack: signed HighLevel Delivery URL posts → api → Temporal (in-memory dev server) → worker → WhatsApp
 * simulator → signed receipts → workflow → HighLevel simulator. Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { HighLevelDeliveryCaller } from '../../src/simulators/highlevel';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { startHarness } from '../support/harness';

const messages = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${label.padEnd(28)} p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms   p95 ${percentile(sorted, 95).toFixed(0).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   max ${sorted.at(-1)?.toFixed(0)} ms`;
}

function rssOfProcess(match: string): string {
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(match)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (rss) return `${(Number(rss) / 1024).toFixed(0)} MiB`;
    } catch {
      // process ended while we looked
    }
  }
  return 'n/a';
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli }, searchAttributes: ALL_SEARCH_ATTRIBUTES } });
  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-bench-')), 'workflows.js');
  fs.writeFileSync(bundle, code);
  process.env.TEST_WORKFLOW_BUNDLE = bundle;

  const h = await startHarness({ settings: { receiptTimeoutSeconds: 60, lateReceiptWindowSeconds: 60 }, statusDownstreamDelayMs: 0, highLevelRateLimit: false });
  const accept: number[] = [];
  const endToEnd: number[] = [];
  const sentAt = new Map<string, number>();
  const done = new Set<string>();
  const watcher = setInterval(() => {
    for (const update of h.highLevel.statusUpdates) {
      if (update.status !== 'read' || done.has(update.messageId)) continue;
      done.add(update.messageId);
      const started = sentAt.get(update.messageId);
      if (started !== undefined) endToEnd.push(update.at - started);
    }
  }, 20);

  const phones = Array.from({ length: messages }, (_, i) => `+1586${String(5000000 + i)}`);
  for (const phone of phones) await h.openWindow(h.location.id, phone);
  const began = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < phones.length) {
        const phone = phones[next++] as string;
        const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [], message: 'Your appointment is tomorrow at 10:00.' });
        const start = Date.now();
        sentAt.set(payload.messageId, start);
        const response = await h.caller.send(h.deliveryUrl, payload);
        if (response.status !== 200) throw new Error(`delivery answered ${response.status}`);
        accept.push(Date.now() - start);
      }
    }),
  );
  const acceptedIn = (Date.now() - began) / 1000;
  while (done.size < messages && Date.now() - began < 300_000) await new Promise((resolve) => setTimeout(resolve, 100));
  const completedIn = (Date.now() - began) / 1000;
  clearInterval(watcher);

  const memory = process.memoryUsage();
  console.log(`\ndelivery benchmark: ${messages} messages, ${concurrency} concurrent senders, ${os.cpus().length} cores`);
  console.log(`accepted (HTTP 200)          ${(messages / acceptedIn).toFixed(1)} msg/s`);
  console.log(`completed (read in HighLevel) ${(done.size / completedIn).toFixed(1)} msg/s (${done.size}/${messages})`);
  console.log(summary('Delivery URL accept latency', accept));
  console.log(summary('post → "read" in HighLevel', endToEnd));
  console.log(`api+worker process            rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`);
  console.log(`temporal dev server           rss ${rssOfProcess(`--port ${env.address.split(':')[1]}`)}`);
  await h.stop();
  await env.teardown();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
