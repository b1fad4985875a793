/**
 * `npm run bench [-- --rate 50 --seconds 5 --messages 100 --concurrency 20 --receipt-delay-ms 100 --warmup 20 --only product,floor,relay --temporal dev|real --earlier <checkout>]`
 * (positional `[messages] [concurrency]` still work). `--temporal real`: the product runs against a real Temporal
 * cluster (src/temporal/realServer.ts: Temporal's server on PostgreSQL, 8 history shards) instead of the dev server;
 * the floor keeps its dev server. `--earlier <checkout>`: also EARLIER, another built checkout of the product (e.g. the
 * commit an issue measured against, in a git worktree) started the same way, for a same-run comparison.
 *
 * The shipped default, measured from the outside, next to two references under the same load:
 * - PRODUCT: `node dist-bench/src/main.js`, i.e. `npm start` itself (its supervisor starts the Temporal dev server on
 *   its SQLite file in a fresh temp DATA_DIR, migrates a fresh PostgreSQL database, runs the api and the worker as two
 *   child processes), configured with SIMULATORS=off and pointed at this process's HighLevel and WhatsApp simulators;
 *   the location is configured through the admin API.
 * - FLOOR: a minimal durable workflow (start → one activity sending through the same WhatsApp simulator → wait for
 *   delivered/read signals → one status push), api and worker processes, its own dev server; no database.
 * - RELAY: one non-durable Fastify process (verify, send, push on receipt); no Temporal, no database.
 * For each: warm-up, then a fixed open-loop arrival rate, then closed-loop concurrency; CPU of every process
 * (/proc utime+stime), RSS, SQL statements (opt-in counter preloaded into the product's processes) and commits
 * (pg_stat_database.xact_commit), Temporal history events and billable actions (fetched histories). Asserts nothing.
 */
import os from 'node:os';
import { parseOptions } from './lib/options';
import { measure } from './lib/measure';
import { startProduct } from './lib/product';
import { startFloor, startRelay } from './lib/references';
import { machine } from './lib/procStats';
import { printComparison, printSystem, type SystemFigures } from './lib/report';
import { BenchSession } from './lib/session';
import { startWorld } from './lib/world';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const perSystem = options.warmup + Math.round(options.rate * options.seconds) + options.messages;
  console.log(`delivery benchmark — machine: ${machine()}`);
  console.log(
    `load per system: warm-up ${options.warmup}, open loop ${options.rate} req/s × ${options.seconds} s, closed loop ${options.messages} messages × ${options.concurrency} senders; ` +
      `WhatsApp simulator receipts sent → delivered → read ${options.receiptDelayMs} ms apart; HighLevel simulator without rate limit or downstream delay`,
  );
  const systems = ['product', 'earlier', 'floor', 'relay'].filter((name) => options.only.has(name) || (name === 'earlier' && options.earlier));
  const session = new BenchSession();
  const world = await startWorld(options, perSystem);
  const phones = world.contacts.map((contact) => contact.phone);
  const all: SystemFigures[] = [];
  try {
    for (const name of systems) {
      console.log(`\n[${name}] starting…`);
      const started = Date.now();
      const sut =
        name === 'product' || name === 'earlier'
          ? await startProduct(session, world, phones, options.temporal, name === 'earlier' ? options.earlier : undefined)
          : name === 'floor'
            ? await startFloor(session, world)
            : await startRelay(session, world);
      console.log(`[${name}] measuring…`);
      const figures = await measure(world, options, sut, (Date.now() - started) / 1000);
      printSystem(figures);
      all.push(figures);
    }
    printComparison(all);
    console.log(`\nload average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} (1/5/15 min)`);
  } catch (error) {
    console.error('\nlast output of the systems under test:');
    for (const line of session.logTail.slice(-60)) console.error(`  ${line}`);
    throw error;
  } finally {
    await session.cleanUp();
    world.stopWatching();
    await world.meta.stop();
    await world.highLevel.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
