import { startRealTemporalServer } from '../src/temporal/realServer';

/**
 * `npm run temporal:real`: a real Temporal cluster on the local PostgreSQL (databases `ghlwa_temporal` and
 * `ghlwa_temporal_visibility`, kept between starts) on 127.0.0.1:7233 until Ctrl-C. Point the product at it with
 * TEMPORAL_ADDRESS (README, "Scale-out: a real Temporal cluster").
 */
async function main(): Promise<void> {
  const server = await startRealTemporalServer({
    databaseName: process.env.TEMPORAL_DATABASE ?? 'ghlwa_temporal',
    postgresUrl: process.env.TEMPORAL_POSTGRES_URL,
    port: Number(process.env.TEMPORAL_PORT ?? 7233),
    numHistoryShards: Number(process.env.TEMPORAL_HISTORY_SHARDS ?? 8),
  });
  console.log(`[temporal] run the api and the workers with TEMPORAL_ADDRESS=${server.address}; Ctrl-C stops the server`);
  let stopping = false;
  const stop = () => {
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`[temporal] server exited (${code}); see ${server.logFile}`);
    process.exit(1);
  });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
