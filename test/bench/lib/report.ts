/** What the bench prints: one system's figures per phase and per message, and the side-by-side comparison. */
import type { HistoryCounts } from './histories';
import type { LoadResult } from './load';
import type { Memory } from './procStats';
import type { SqlTotals } from './postgres';

export interface PhaseFigures {
  load: LoadResult;
  accepted: number;
  refused: Record<string, number>;
  delivered: number;
  failed: number;
  ackP50: number;
  ackP99: number;
  ackMax: number;
  acceptRate: number;
  endToEndRate: number;
  endToEndP50: number;
  endToEndP99: number;
}

export interface SystemFigures {
  name: string;
  /** Wall-clock seconds of each step. */
  steps: Array<[string, number]>;
  open: PhaseFigures;
  closed: PhaseFigures;
  delivered: number;
  cpuMs: Array<{ label: string; ms: number }>;
  /** The workers' CPU by thread group (threadStats.ts). */
  threadCpu: Array<{ label: string; groups: Array<{ group: string; ms: number }> }>;
  cpuTotalMs: number;
  benchProcessCpuMs: number;
  memory: Array<{ label: string; memory: Memory | undefined }>;
  sql?: SqlTotals;
  commits?: { commits: number; rollbacks: number };
  histories?: HistoryCounts;
  stillRunning: number;
  stopped: string;
  seconds: number;
}

const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const f0 = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');

function printPhase(label: string, phase: PhaseFigures): void {
  const refused = Object.entries(phase.refused).map(([status, count]) => `${count}× ${status}`).join(', ');
  console.log(`  ${label}: ${phase.load.description}`);
  console.log(`    accepted ${phase.accepted}/${phase.load.results.length}${refused ? ` (refused: ${refused})` : ''} at ${f1(phase.acceptRate)} msg/s; ack p50 ${f0(phase.ackP50)} ms, p99 ${f0(phase.ackP99)} ms, max ${f0(phase.ackMax)} ms`);
  console.log(`    read in HighLevel ${phase.delivered}/${phase.accepted}${phase.failed ? ` (${phase.failed} failed)` : ''} at ${f1(phase.endToEndRate)} msg/s end to end; post → read p50 ${f0(phase.endToEndP50)} ms, p99 ${f0(phase.endToEndP99)} ms`);
}

export function printSystem(figures: SystemFigures): void {
  const n = Math.max(1, figures.delivered);
  console.log(`\n== ${figures.name.toUpperCase()} (${f0(figures.seconds)} s: ${figures.steps.map(([name, seconds]) => `${name} ${f0(seconds)}`).join(', ')}) ==`);
  printPhase('open loop', figures.open);
  printPhase('closed loop', figures.closed);
  console.log(`  per delivered message (${figures.delivered} read in HighLevel over both phases):`);
  for (const entry of figures.cpuMs) console.log(`    CPU ${entry.label.padEnd(58)} ${f1(entry.ms / n).padStart(7)} ms`);
  console.log(`    CPU ${'TOTAL'.padEnd(58)} ${f1(figures.cpuTotalMs / n).padStart(7)} ms`);
  for (const { label, groups } of figures.threadCpu) {
    console.log(`    ${label} by thread:`);
    for (const { group, ms } of groups) if (ms / n >= 0.05) console.log(`      ${group.padEnd(70)} ${f1(ms / n).padStart(5)} ms`);
  }
  console.log(`    (the bench process itself — load generator and simulators — ${f1(figures.benchProcessCpuMs / n)} ms, not counted)`);
  if (figures.sql) {
    const kinds = Object.entries(figures.sql.byKind).filter(([, count]) => count > 0).map(([kind, count]) => `${kind} ${f1(count / n)}`).join(', ');
    const roles = Object.entries(figures.sql.byRole).filter(([, count]) => count > 0).map(([role, count]) => `${role} ${f1(count / n)}`).join(', ');
    const transactions = (figures.sql.byKind.commit ?? 0) + figures.sql.autocommit;
    console.log(`    SQL statements ${f1(figures.sql.statements / n)} (${kinds}; by process: ${roles})`);
    console.log(
      `    SQL transactions seen by the counter ${f1(transactions / n)} (${f1((figures.sql.byKind.commit ?? 0) / n)} BEGIN…COMMIT + ${f1(figures.sql.autocommit / n)} single statements), of which ${f1(figures.sql.writeCommits / n)} wrote something`,
    );
  }
  if (figures.commits) console.log(`    commits (pg_stat_database.xact_commit) ${f1(figures.commits.commits / n)}${figures.commits.rollbacks ? `, rollbacks ${f1(figures.commits.rollbacks / n)}` : ''}`);
  if (figures.histories) {
    const h = figures.histories;
    const w = Math.max(1, h.workflows);
    const a = h.actions;
    console.log(
      `    Temporal billable actions ${f1(h.billableActions / w)}: start ${f1(a.starts / w)}, activity attempts ${f1(a.activityAttempts / w)}, workflow tasks with local activities ${f1(a.localActivityTasks / w)}` +
        `${a.patchMarkerOnlyTasks ? `, workflow tasks with only patch markers ${f1(a.patchMarkerOnlyTasks / w)}` : ''}, signals ${f1(a.signals / w)}, timers ${f1(a.timers / w)}, search-attribute upserts ${f1(a.searchAttributeUpserts / w)}` +
        `${a.childWorkflows ? `, child workflows ${f1(a.childWorkflows / w)}` : ''}${a.updates ? `, updates ${f1(a.updates / w)}` : ''}${a.other ? `, other ${f1(a.other / w)}` : ''}`,
    );
    console.log(`    history events ${f1(h.events / w)}, workflow tasks ${f1(h.workflowTasks / w)} (${h.workflows} histories, ${h.closed} closed${h.unsuccessful ? `, ${h.unsuccessful} failed/terminated` : ''})`);
    const activities = Object.entries(h.activityTypes).map(([type, count]) => `${type} ${f1(count / w)}`).join(', ');
    console.log(`    activities: ${activities}`);
  }
  console.log('  memory (RSS now / peak):');
  for (const entry of figures.memory) console.log(`    ${entry.label.padEnd(62)} ${entry.memory ? `${f0(entry.memory.rssMiB)} / ${f0(entry.memory.peakMiB)} MiB` : 'n/a'}`);
  if (figures.stillRunning > 0) console.log(`  ${figures.stillRunning} workflows still running 30 s after the last read`);
  console.log(`  ${figures.stopped}`);
}

export function printComparison(all: SystemFigures[]): void {
  const product = all.find((figures) => figures.name === 'product');
  const others = all.filter((figures) => figures !== product);
  if (!product || others.length === 0) return;
  const rows: Array<[string, (figures: SystemFigures) => number]> = [
    ['end-to-end msg/s, closed loop', (figures) => figures.closed.endToEndRate],
    ['end-to-end msg/s, open loop', (figures) => figures.open.endToEndRate],
    ['accepted msg/s, closed loop', (figures) => figures.closed.acceptRate],
    ['ack p99 ms, open loop', (figures) => figures.open.ackP99],
    ['CPU ms per message (all processes)', (figures) => figures.cpuTotalMs / Math.max(1, figures.delivered)],
    ['billable actions per message', (figures) => (figures.histories ? figures.histories.billableActions / Math.max(1, figures.histories.workflows) : NaN)],
    ['history events per message', (figures) => (figures.histories ? figures.histories.events / Math.max(1, figures.histories.workflows) : NaN)],
    ['SQL statements per message', (figures) => (figures.sql ? figures.sql.statements / Math.max(1, figures.delivered) : NaN)],
    ['commits per message (xact_commit)', (figures) => (figures.commits ? figures.commits.commits / Math.max(1, figures.delivered) : NaN)],
  ];
  console.log('\n== COMPARISON (same machine, same load, same simulators) ==');
  const header = ['', 'product', ...others.map((figures) => figures.name), ...others.map((figures) => `product/${figures.name}`)];
  console.log(`  ${header[0]!.padEnd(38)}${header.slice(1).map((cell) => cell.padStart(17)).join('')}`);
  for (const [label, value] of rows) {
    const cells = [value(product), ...others.map(value)].map((number) => f1(number));
    const ratios = others.map((figures) => {
      const ratio = value(product) / value(figures);
      return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a';
    });
    console.log(`  ${label.padEnd(38)}${[...cells, ...ratios].map((cell) => cell.padStart(17)).join('')}`);
  }
}
