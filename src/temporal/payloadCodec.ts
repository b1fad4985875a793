import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Workflow histories hold every payload (inputs, activity results, signals, queries' answers): phone numbers and
 * message texts. This codec encrypts each payload whole (its metadata too, so not even the JSON encoding shows)
 * with AES-256-GCM before it leaves the process, and the Temporal server, its database and a Web UI without the
 * codec endpoint only ever see `binary/encrypted`.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Keys by id; the first encrypts, every one decrypts (rotation: put the new key first, keep the old ones). */
export interface PayloadKeyring {
  encryptWith: PayloadKey;
  byId: ReadonlyMap<string, Buffer>;
}

/** Parses `PAYLOAD_KEYS`: `kid1:base64key,kid0:base64key`, each key 32 bytes. Throws with the reason. */
export function parsePayloadKeys(spec: string): PayloadKeyring {
  const keys = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index): PayloadKey => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon).trim() : '';
      // The reason never quotes the entry: it may be a key.
      if (!id) throw new Error(`entry ${index + 1} must be <key id>:<base64 key>`);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`key id "${id}": letters, digits, ".", "_", "-" only (at most 64)`);
      const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
      if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes, base64-encoded (openssl rand -base64 32), got ${key.length}`);
      return { id, key };
    });
  const first = keys[0];
  if (!first) throw new Error('no key given');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (byId.has(id)) throw new Error(`key id "${id}" is given twice`);
    byId.set(id, key);
  }
  return { encryptWith: first, byId };
}

/** A payload the codec could not decrypt: unknown key id, or altered (or encrypted under another key of that id). */
export class PayloadDecryptionError extends ValueError {
  override name = 'PayloadDecryptionError';
}

export class EncryptionCodec implements PayloadCodec {
  /** Each key imported once: handing OpenSSL raw bytes makes it import the key again for every payload. */
  private readonly keys: ReadonlyMap<string, crypto.KeyObject>;

  constructor(private readonly keyring: PayloadKeyring) {
    this.keys = new Map([...keyring.byId].map(([id, key]) => [id, crypto.createSecretKey(key)]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id } = this.keyring.encryptWith;
    const key = this.keys.get(id) as crypto.KeyObject;
    return payloads.map((payload) => {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated with the data: a payload relabelled with another id fails to decrypt.
      cipher.setAAD(Buffer.from(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data: sealed };
    });
  }

  /** Payloads that are not encrypted (histories recorded before the codec, search attributes) pass through. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!idBytes) throw new PayloadDecryptionError(`encrypted payload without "${KEY_ID_METADATA}" metadata`);
      const id = Buffer.from(idBytes).toString();
      const key = this.keys.get(id);
      if (!key) {
        throw new PayloadDecryptionError(`payload encrypted with key id "${id}", which is not in PAYLOAD_KEYS (${[...this.keyring.byId.keys()].join(', ')})`);
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key id "${id}") is truncated`);
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(id));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      } catch {
        throw new PayloadDecryptionError(`encrypted payload (key id "${id}") failed authentication: altered, or sealed with another key of that id`);
      }
    });
  }
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text);
}

export const DEV_PAYLOAD_KEYS_FILE = 'dev-payload-keys';

/**
 * PAYLOAD_KEYS when configured. Production requires it. Otherwise (the embedded default, `npm start`) a key generated
 * once and kept in DATA_DIR, so histories written by earlier runs stay readable; `warn` is told when it is created.
 */
export function resolvePayloadKeys(
  configured: string | undefined,
  options: { nodeEnv: string; dataDir: string; warn?: (line: string) => void },
): PayloadKeyring {
  if (configured) return parsePayloadKeys(configured);
  if (options.nodeEnv === 'production') throw new Error('PAYLOAD_KEYS: required in production (<key id>:<base64 key>, key from openssl rand -base64 32)');
  const file = path.join(options.dataDir, DEV_PAYLOAD_KEYS_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const spec = `dev-${new Date().toISOString().slice(0, 10)}:${crypto.randomBytes(32).toString('base64')}`;
    try {
      fs.writeFileSync(file, `${spec}\n`, { mode: 0o600, flag: 'wx' }); // 'wx': a process starting alongside keeps its key
      options.warn?.(`[temporal] PAYLOAD_KEYS is not set: workflow payloads are encrypted with a development key generated in ${file}; set PAYLOAD_KEYS in production`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parsePayloadKeys(fs.readFileSync(file, 'utf8').trim());
}

/** The codec of this deployment's Temporal clients and workers, from the configuration. */
export function payloadCodecFor(config: { PAYLOAD_KEYS?: string | undefined; NODE_ENV: string; DATA_DIR: string }): EncryptionCodec {
  return new EncryptionCodec(resolvePayloadKeys(config.PAYLOAD_KEYS, { nodeEnv: config.NODE_ENV, dataDir: config.DATA_DIR, warn: (line) => console.warn(line) }));
}
