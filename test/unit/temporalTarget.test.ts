import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalTarget } from '../../src/temporal/connection';

/** Where the api, the worker and the supervisor connect: TEMPORAL_* variables and the profile file, as Temporal reads them. */
describe('temporalTarget', () => {
  const noFile = { TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'ghlwa-no-such-temporal.toml') };

  it('is undefined without an address, so npm start runs the embedded dev server', () => {
    expect(temporalTarget({ ...noFile })).toBeUndefined();
    expect(temporalTarget({ ...noFile }, '127.0.0.1:7233')).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', connection: { address: '127.0.0.1:7233' } });
  });

  it('reads Temporal Cloud settings from the environment: an API key turns TLS on', () => {
    const target = temporalTarget({ ...noFile, TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'agency.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(target).toEqual({
      address: 'us-east-1.aws.api.temporal.io:7233',
      namespace: 'agency.a1b2c',
      connection: { address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'key-123', tls: true },
    });
  });

  it('reads a profile with mTLS certificates, and the environment overrides it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-envconfig-'));
    fs.writeFileSync(path.join(dir, 'client.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'client.key'), 'KEY');
    const file = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      file,
      [
        '[profile.prod]',
        'address = "agency.a1b2c.tmprl.cloud:7233"',
        'namespace = "agency.a1b2c"',
        '[profile.prod.tls]',
        `client_cert_path = "${path.join(dir, 'client.pem')}"`,
        `client_key_path = "${path.join(dir, 'client.key')}"`,
      ].join('\n'),
    );
    const target = temporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(target?.address).toBe('agency.a1b2c.tmprl.cloud:7233');
    expect(target?.namespace).toBe('agency.a1b2c');
    const tls = target?.connection.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    expect(Buffer.from(tls.clientCertPair?.crt ?? []).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair?.key ?? []).toString()).toBe('KEY');
    expect(temporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' })?.namespace).toBe('other');
  });
});
