import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { dataConverterWith } from './dataConverter';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** Every client of this deployment's workflows encrypts and decrypts payloads with the codec (payloadCodecFor). */
export async function connectClient(target: TemporalTarget & { payloadCodec: PayloadCodec }): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, connectTimeout: '5s' });
  return clientWithCodec(connection, target.namespace, target.payloadCodec);
}

export function clientWithCodec(connection: Connection, namespace: string, payloadCodec: PayloadCodec): Client {
  return new Client({ connection, namespace, dataConverter: dataConverterWith(payloadCodec) });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
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
