import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import {
  DEV_PAYLOAD_KEYS_FILE,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  parsePayloadKeys,
  resolvePayloadKeys,
} from '../../src/temporal/payloadCodec';

const newKey = () => crypto.randomBytes(32).toString('base64');
const codecWith = (spec: string) => new EncryptionCodec(parsePayloadKeys(spec));
const text = (payload: Payload | undefined) => Buffer.from(payload?.data ?? new Uint8Array()).toString();
const metadata = (payload: Payload | undefined, key: string) => Buffer.from(payload?.metadata?.[key] ?? new Uint8Array()).toString();

const input = { phoneE164: '+15864603685', text: 'Hi Ana, your appointment is on May 3 at 10:00.' };

describe('EncryptionCodec', () => {
  const k1 = newKey();
  const k0 = newKey();

  it('round-trips a payload, metadata included, and shows neither the phone nor the text once encoded', async () => {
    const codec = codecWith(`k1:${k1}`);
    const plain = defaultPayloadConverter.toPayload(input);
    const [encoded] = await codec.encode([plain]);
    expect(metadata(encoded, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadata(encoded, KEY_ID_METADATA)).toBe('k1');
    expect(Object.keys(encoded?.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(text(encoded)).not.toContain('5864603685');
    expect(text(encoded)).not.toContain('appointment');
    const [decoded] = await codec.decode([encoded as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(input);
    expect(metadata(decoded, 'encoding')).toBe('json/plain');
  });

  it('encrypts the same payload differently each time (a fresh nonce)', async () => {
    const codec = codecWith(`k1:${k1}`);
    const plain = defaultPayloadConverter.toPayload(input);
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('never repeats a nonce over many payloads', async () => {
    const codec = codecWith(`k1:${k1}`);
    const plain = defaultPayloadConverter.toPayload(input);
    const sealed = await codec.encode(Array.from({ length: 1500 }, () => plain));
    const ivs = new Set(sealed.map((payload) => Buffer.from(payload.data ?? []).subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(1500);
    expect(await codec.decode(sealed.slice(-2))).toEqual([plain, plain].map((payload) => expect.objectContaining({ data: payload.data })));
  });

  it('rotation: the first key encrypts, an older key still decrypts what it sealed', async () => {
    const before = codecWith(`k0:${k0}`);
    const after = codecWith(`k1:${k1},k0:${k0}`);
    const [old] = await before.encode([defaultPayloadConverter.toPayload(input)]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(input)]);
    expect(metadata(fresh, KEY_ID_METADATA)).toBe('k1');
    const decoded = await after.decode([old as Payload, fresh as Payload]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([input, input]);
  });

  it('a key id it does not hold is a clear error naming the id and the ids it has', async () => {
    const [sealed] = await codecWith(`k0:${k0}`).encode([defaultPayloadConverter.toPayload(input)]);
    const failure = codecWith(`k1:${k1}`).decode([sealed as Payload]);
    await expect(failure).rejects.toThrow(PayloadDecryptionError);
    await expect(failure).rejects.toThrow('payload encrypted with key id "k0", which is not in PAYLOAD_KEYS (k1)');
  });

  it('an altered payload, a relabelled key id and another key under the same id fail authentication', async () => {
    const codec = codecWith(`k1:${k1},k0:${k0}`);
    const [sealed] = (await codec.encode([defaultPayloadConverter.toPayload(input)])) as [Payload];
    const flipped = Buffer.from(sealed.data as Uint8Array);
    flipped[20] = (flipped[20] as number) ^ 1;
    await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow('encrypted payload (key id "k1") failed authentication');

    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k0') } };
    await expect(codec.decode([relabelled])).rejects.toThrow('encrypted payload (key id "k0") failed authentication');

    await expect(codecWith(`k1:${newKey()}`).decode([sealed])).rejects.toThrow('failed authentication');
    await expect(codec.decode([{ ...sealed, data: Buffer.alloc(10) }])).rejects.toThrow('truncated');
    await expect(codec.decode([{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data: sealed.data }])).rejects.toThrow(`without "${KEY_ID_METADATA}"`);
  });

  it('passes through payloads that are not encrypted (histories recorded before the codec)', async () => {
    const codec = codecWith(`k1:${k1}`);
    const plain = [defaultPayloadConverter.toPayload(input), defaultPayloadConverter.toPayload(null), { metadata: {}, data: Buffer.from('raw') }];
    await expect(codec.decode(plain)).resolves.toEqual(plain);
  });
});

describe('PAYLOAD_KEYS', () => {
  it('is parsed into the encrypting key and every decrypting key', () => {
    const keyring = parsePayloadKeys(` kid1:${newKey()} , kid0:${newKey()} `);
    expect(keyring.encryptWith.id).toBe('kid1');
    expect([...keyring.byId.keys()]).toEqual(['kid1', 'kid0']);
  });

  it('refuses bad values at configuration time with a reason that never quotes a key', () => {
    const key = newKey();
    expect(() => loadConfig({ PAYLOAD_KEYS: key })).toThrow('PAYLOAD_KEYS: entry 1 must be <key id>:<base64 key>');
    expect(() => loadConfig({ PAYLOAD_KEYS: `a:${key.slice(0, 20)}` })).toThrow('key "a" must be 32 bytes');
    expect(() => loadConfig({ PAYLOAD_KEYS: `a:${key},a:${newKey()}` })).toThrow('key id "a" is given twice');
    expect(() => loadConfig({ PAYLOAD_KEYS: `a b:${key}` })).toThrow('letters, digits');
    try {
      loadConfig({ PAYLOAD_KEYS: key });
    } catch (error) {
      expect((error as Error).message).not.toContain(key.slice(0, 8));
    }
    expect(loadConfig({ PAYLOAD_KEYS: `a:${key}` }).PAYLOAD_KEYS).toBe(`a:${key}`);
  });

  it('production requires it; the embedded default generates a key once in DATA_DIR and keeps it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-payload-keys-'));
    try {
      expect(() => resolvePayloadKeys(undefined, { nodeEnv: 'production', dataDir })).toThrow('PAYLOAD_KEYS: required in production');
      expect(fs.existsSync(path.join(dataDir, DEV_PAYLOAD_KEYS_FILE))).toBe(false);
      const warnings: string[] = [];
      const first = resolvePayloadKeys(undefined, { nodeEnv: 'development', dataDir, warn: (line) => warnings.push(line) });
      const second = resolvePayloadKeys(undefined, { nodeEnv: 'development', dataDir, warn: (line) => warnings.push(line) });
      expect(second.encryptWith).toEqual(first.encryptWith);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('PAYLOAD_KEYS is not set');
      expect(warnings[0]).not.toContain(first.encryptWith.key.toString('base64'));
      expect(fs.statSync(path.join(dataDir, DEV_PAYLOAD_KEYS_FILE)).mode & 0o777).toBe(0o600);
      const configured = `prod:${newKey()}`;
      expect(resolvePayloadKeys(configured, { nodeEnv: 'production', dataDir }).encryptWith.id).toBe('prod');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
