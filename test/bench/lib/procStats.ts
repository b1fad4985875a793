/** CPU time and memory of processes from /proc (Linux only). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  pid: number;
  ppid: number;
  /** utime + stime, milliseconds. */
  cpuMs: number;
  cmdline: string;
}

/** utime+stime of one process in ms, or undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid, cpuMs: ((utime + stime) * 1000) / clockTicks(), cmdline };
  } catch {
    return undefined;
  }
}

export function allProcesses(): ProcSample[] {
  const samples: ProcSample[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const sample = readProc(Number(name));
    if (sample) samples.push(sample);
  }
  return samples;
}

export interface Memory {
  rssMiB: number;
  /** Peak resident set size (VmHWM). */
  peakMiB: number;
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    return { rssMiB: rss / 1024, peakMiB: hwm / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Accumulates CPU of a changing set of processes (e.g. PostgreSQL backends that come and go): sampled periodically,
 * each pid contributes its last seen CPU minus its CPU at the first sample (0 for pids born after the start).
 */
export class CpuTracker {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly select: () => ProcSample[]) {}

  start(intervalMs = 500): void {
    this.sample();
    this.started = true;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling (after one last sample) and returns the CPU ms used since start(). */
  stop(): number {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    let total = 0;
    for (const [pid, last] of this.last) total += last - (this.first.get(pid) ?? 0);
    return total;
  }

  private sample(): void {
    for (const process of this.select()) {
      if (!this.started && !this.first.has(process.pid)) this.first.set(process.pid, process.cpuMs);
      if (this.started && !this.first.has(process.pid)) this.first.set(process.pid, 0);
      this.last.set(process.pid, process.cpuMs);
    }
  }
}

/** PostgreSQL processes: backends (and autovacuum workers) of one database, and the cluster's own workers (WAL writer, checkpointer, …). */
export function postgresProcesses(database: string): { backends: () => ProcSample[]; auxiliary: () => ProcSample[] } {
  const isPostgres = (sample: ProcSample) => sample.cmdline.startsWith('postgres:');
  // "postgres: 15/main: <user> <database> 127.0.0.1(port) idle"
  const backendOf = (sample: ProcSample) => /^postgres: (?:\S+: )?\S+ (\S+) [^ ]*\(\d+\)/.exec(sample.cmdline)?.[1];
  return {
    backends: () =>
      allProcesses().filter((sample) => isPostgres(sample) && (backendOf(sample) === database || sample.cmdline.endsWith(`autovacuum worker ${database}`))),
    auxiliary: () => allProcesses().filter((sample) => isPostgres(sample) && backendOf(sample) === undefined && !/autovacuum worker/.test(sample.cmdline)),
  };
}

export function machine(): string {
  const cpus = os.cpus();
  let mhz = '';
  try {
    const found = /cpu MHz\s*:\s*([\d.]+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (found) mhz = ` @ ${Math.round(Number(found))} MHz`;
  } catch {
    // not Linux
  }
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  return `${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}${mhz}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${load} (1/5/15 min), Node ${process.version}, ${os.release()}`;
}
