import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { dataConverterWith } from './dataConverter';

/** Where and how to reach Temporal: address, namespace, TLS / mTLS, API key, gRPC metadata. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  connection: Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'> & { address: string };
}

/**
 * The Temporal way (@temporalio/envconfig, as the Temporal CLI and SDKs read it): the profile `TEMPORAL_PROFILE`
 * (default "default") of the config file (`TEMPORAL_CONFIG_FILE`, else ~/.config/temporalio/temporal.toml), overridden
 * by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_GRPC_META_*`. Undefined
 * when neither names an address (npm start then runs the embedded dev server, whose address is `fallbackAddress`).
 */
export function temporalTarget(env: NodeJS.ProcessEnv, fallbackAddress?: string): TemporalTarget | undefined {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const { connectionOptions, namespace } = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars });
  const address = connectionOptions.address ?? fallbackAddress;
  if (!address) return undefined;
  const { tls, apiKey, metadata } = connectionOptions;
  return {
    address,
    namespace: namespace ?? 'default',
    connection: { address, ...(tls === undefined ? {} : { tls }), ...(apiKey === undefined ? {} : { apiKey }), ...(metadata === undefined ? {} : { metadata }) },
  };
}

/** For a standalone api or worker: a Temporal to connect to is required. */
export function requireTemporalTarget(env: NodeJS.ProcessEnv, role: string): TemporalTarget {
  const target = temporalTarget(env);
  if (!target) throw new Error(`no Temporal address for a standalone ${role}: set TEMPORAL_ADDRESS or a profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); npm start runs the embedded default`);
  return target;
}

/** Every client of this deployment's workflows encrypts and decrypts payloads with the codec (payloadCodecFor). */
export async function connectClient(target: TemporalTarget, payloadCodec: PayloadCodec): Promise<Client> {
  const connection = await Connection.connect({ ...target.connection, connectTimeout: '5s' });
  return clientWithCodec(connection, target.namespace, payloadCodec);
}

/** A client that connects on first use: the api starts (and /readyz says why) while Temporal is down. */
export function lazyClient(target: TemporalTarget, payloadCodec: PayloadCodec): Client {
  return clientWithCodec(Connection.lazy({ ...target.connection, connectTimeout: '5s' }), target.namespace, payloadCodec);
}

export function clientWithCodec(connection: Connection, namespace: string, payloadCodec: PayloadCodec): Client {
  return new Client({ connection, namespace, dataConverter: dataConverterWith(payloadCodec) });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.connection);
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** Registers the custom search attributes on an external cluster; the dev server gets them as flags. */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<void> {
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
  });
}

/** True when the Temporal frontend answers within a short deadline (used by /readyz). */
export async function temporalReachable(client: Client): Promise<void> {
  await client.connection.withDeadline(Date.now() + 2000, () =>
    client.connection.workflowService.getSystemInfo({}),
  );
}
