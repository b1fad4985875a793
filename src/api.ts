import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './config';
import { buildApp } from './http/app';
import { createRuntime, type Runtime } from './runtime';
import { ensureSearchAttributes, lazyClient, requireTemporalTarget, type TemporalTarget } from './temporal/connection';
import { payloadCodecFor } from './temporal/payloadCodec';

/** The API with a lazy Temporal connection: it starts (and /readyz says why) while Temporal is down. */
export function createApi(runtime: Runtime, target: TemporalTarget): { app: FastifyInstance; temporal: Client } {
  // The codec also serves /codec (the Web UI's remote codec), so the UI decodes with exactly these keys.
  const temporal = lazyClient(target, payloadCodecFor(runtime.config));
  const app = buildApp({ config: runtime.config, db: runtime.db, temporal, box: runtime.box });
  app.addHook('onClose', async () => temporal.connection.close());
  return { app, temporal };
}

export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  return typeof address === 'object' && address ? `http://${config.HOST}:${address.port}` : String(address);
}

/** `npm run start:api`: the receivers only, against the configured Temporal (temporalTarget). */
async function main(): Promise<void> {
  const target = requireTemporalTarget(process.env, 'api');
  const config: Config = { ...loadConfig(), TEMPORAL_NAMESPACE: target.namespace };
  const runtime = await createRuntime(config);
  const { app, temporal } = createApi(runtime, target);
  await ensureSearchAttributes(temporal, target.namespace).catch((error) => app.log.warn({ err: error }, 'could not register search attributes yet'));
  await listen(app, config);
  const stop = async () => {
    await app.close();
    await runtime.db.destroy();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
