import { Connection, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './config';
import { buildApp } from './http/app';
import { createRuntime, type Runtime } from './runtime';
import { clientWithCodec, ensureSearchAttributes } from './temporal/connection';
import { payloadCodecFor } from './temporal/payloadCodec';

/** The API with a lazy Temporal connection: it starts (and /readyz says why) while Temporal is down. */
export function createApi(runtime: Runtime, temporalAddress: string): { app: FastifyInstance; temporal: Client } {
  const connection = Connection.lazy({ address: temporalAddress, connectTimeout: '5s' });
  // The codec also serves /codec (the Web UI's remote codec), so the UI decodes with exactly these keys.
  const temporal = clientWithCodec(connection, runtime.config.TEMPORAL_NAMESPACE, payloadCodecFor(runtime.config));
  const app = buildApp({ config: runtime.config, db: runtime.db, temporal, box: runtime.box });
  app.addHook('onClose', async () => connection.close());
  return { app, temporal };
}

export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  return typeof address === 'object' && address ? `http://${config.HOST}:${address.port}` : String(address);
}

/** `npm run start:api`: the receivers only, against TEMPORAL_ADDRESS. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS: required for a standalone api (npm start runs the embedded default)');
  const runtime = await createRuntime(config);
  const { app, temporal } = createApi(runtime, config.TEMPORAL_ADDRESS);
  await ensureSearchAttributes(temporal, config.TEMPORAL_NAMESPACE).catch((error) => app.log.warn({ err: error }, 'could not register search attributes yet'));
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
