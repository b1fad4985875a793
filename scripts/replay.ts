/**
 * `npm run replay -- --location <id> [--since <ISO>] [--until <ISO>] [--reason <code>] [--class <class>]
 *  [--channel whatsapp|sms|none] [--message <id>]… [--note <why>] [--dry-run] [--yes]`
 *
 * Replays failed deliveries through the admin API (POST /admin/replays), so the CLI and the API list the same
 * messages: a dry run first (the table), then, once confirmed, the replay and its progress. Reads ADMIN_TOKEN and
 * REPLAY_API_URL (else PUBLIC_BASE_URL, else http://127.0.0.1:$PORT).
 */
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { ReplayPlan } from '../src/replay/replays';

/** The API's answer: the same type the replay module returns (JSON). */
type Plan = ReplayPlan;

interface Progress {
  state: 'running' | 'done';
  counts: { total: number; pending: number; replaying: number; done: number; failed: number; skipped: number };
  messages: Array<{ messageId: string; result: string; statusReason?: string; error?: string; skip?: string }>;
}

const USAGE = 'usage: npm run replay -- --location <id> [--since <ISO>] [--until <ISO>] [--reason <code>] [--class <class>] [--channel <c>] [--message <id>]… [--note <why>] [--dry-run] [--yes]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      location: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      reason: { type: 'string', multiple: true },
      class: { type: 'string' },
      channel: { type: 'string' },
      message: { type: 'string', multiple: true },
      note: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return print(USAGE), 0;
  if (!values.location && !values.message) return fail(`--location (or --message) is required\n${USAGE}`);
  const token = process.env.ADMIN_TOKEN;
  if (!token) return fail('ADMIN_TOKEN is not set');
  const baseUrl = (process.env.REPLAY_API_URL ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).catch((error: unknown) => {
      throw new Error(`could not reach the api at ${baseUrl} (set REPLAY_API_URL): ${error instanceof Error ? error.message : String(error)}`);
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer as T;
  };

  const filter = {
    ...(values.location ? { locationId: values.location } : {}),
    ...(values.since ? { since: values.since } : {}),
    ...(values.until ? { until: values.until } : {}),
    ...(values.reason ? { code: values.reason } : {}),
    ...(values.class ? { errorClass: values.class } : {}),
    ...(values.channel ? { channel: values.channel } : {}),
    ...(values.message ? { messageIds: values.message } : {}),
  };
  const plan = await call<Plan>('POST', '/admin/replays', { ...filter, dryRun: true });
  printPlan(plan);
  if (values['dry-run']) return 0;
  if (plan.toReplay === 0) return print('nothing to replay'), 0;
  if (!values.yes) {
    if (!process.stdin.isTTY) return fail('no terminal to confirm on: pass --yes to replay without asking');
    const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Replay ${plan.toReplay} message(s)? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) return print('nothing replayed'), 1;
  }
  const requestedBy = `cli:${process.env.USER ?? 'unknown'}`;
  const started = await call<{ id: string }>('POST', '/admin/replays', { ...filter, requestedBy, ...(values.note ? { note: values.note } : {}) });
  print(`replay ${started.id} started`);
  let last = '';
  for (;;) {
    const progress = await call<Progress>('GET', `/admin/replays/${encodeURIComponent(started.id)}`);
    const { total, pending, replaying, done, failed, skipped } = progress.counts;
    const line = `${total} messages: ${pending} pending, ${replaying} replaying, ${done} done, ${failed} failed, ${skipped} skipped`;
    if (line !== last) print(line);
    last = line;
    if (progress.state === 'done') {
      for (const message of progress.messages.filter((m) => m.result === 'failed')) print(`failed  ${message.messageId}  ${message.error ?? message.statusReason ?? ''}`);
      return failed > 0 ? 1 : 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function printPlan(plan: Plan): void {
  const rows = plan.messages.map((message) => [
    message.action === 'replay' ? 'replay' : `skip (${message.skip})`,
    message.messageId,
    message.status,
    message.lastFailure.code,
    message.lastFailure.reason.length > 70 ? `${message.lastFailure.reason.slice(0, 69)}…` : message.lastFailure.reason,
  ]);
  const header = ['action', 'message', 'status', 'last code', 'last reason'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '));
  print(`to replay: ${plan.toReplay}, skipped: ${plan.skipped}${plan.truncated ? ' (truncated: narrow the filter)' : ''}`);
  for (const [code, count] of Object.entries(plan.byReason)) print(`  ${count} × ${code}`);
  for (const [why, count] of Object.entries(plan.skippedBy)) print(`  skipped ${count} × ${why}`);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
