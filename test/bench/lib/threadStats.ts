/**
 * A Temporal worker's CPU by thread (Linux /proc/<pid>/task): its JavaScript (Node names its main, worker-thread and
 * V8 helper threads alike) against the SDK's Rust core. Threads that ended meanwhile show only in the process's total
 * (among them the watchdog Node starts for each timed call into the workflow sandbox; starting it costs the caller).
 */
import fs from 'node:fs';
import { clockTicks, readProc } from './procStats';

const GROUPS: Array<[RegExp, string]> = [
  [/^(node|MainThread|WorkerThread|V8 ?Worker|V8 DefaultWorke|DelayedTaskSche)$/, 'JavaScript: activities, workflow sandbox, GC'],
  [/^(tokio|workflow-proces|activity|local-activity|nexus)/, 'Temporal core (Rust): gRPC, workflow state machines'],
  [/^libuv-worker$/, 'libuv pool: crypto, files, DNS'],
];
const ENDED_THREADS = 'threads that ended meanwhile';

function groupOf(name: string): string {
  return GROUPS.find(([pattern]) => pattern.test(name))?.[1] ?? `other threads (${name})`;
}

/** CPU ms of each live thread of `pid`, keyed by thread id. */
function threadCpu(pid: number): Map<number, { group: string; cpuMs: number }> {
  const threads = new Map<number, { group: string; cpuMs: number }>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(Number(tid), { group: groupOf(name), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks() });
    } catch {
      // the thread ended while we read
    }
  }
  return threads;
}

export class ThreadCpu {
  private readonly before: Map<number, { group: string; cpuMs: number }>;
  private readonly processBefore: number;

  constructor(private readonly pid: number) {
    this.before = threadCpu(pid);
    this.processBefore = readProc(pid)?.cpuMs ?? 0;
  }

  /** CPU ms since construction by group, the ended threads being the process's total minus its live threads. */
  since(): Array<{ group: string; ms: number }> {
    const after = threadCpu(this.pid);
    const processMs = (readProc(this.pid)?.cpuMs ?? NaN) - this.processBefore;
    const byGroup = new Map<string, number>();
    for (const [tid, thread] of after) byGroup.set(thread.group, (byGroup.get(thread.group) ?? 0) + thread.cpuMs - (this.before.get(tid)?.cpuMs ?? 0));
    const live = [...byGroup.values()].reduce((sum, ms) => sum + ms, 0);
    byGroup.set(ENDED_THREADS, Math.max(0, processMs - live));
    return [...byGroup].map(([group, ms]) => ({ group, ms })).sort((a, b) => b.ms - a.ms);
  }
}
