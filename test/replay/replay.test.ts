import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { dataConverterWith } from '../../src/temporal/dataConverter';
import { EncryptionCodec, parsePayloadKeys } from '../../src/temporal/payloadCodec';
import { REPLAY_PAYLOAD_KEYS } from './payloadKeys';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // another test file in this jest worker installed it already
}

const dir = path.join(__dirname, 'histories');
const fixtures = fs.readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
// Histories recorded before payload encryption are plaintext and pass through the codec; *-encrypted.json are sealed.
const payloadCodec = new EncryptionCodec(parsePayloadKeys(REPLAY_PAYLOAD_KEYS));

/**
 * The encodings of a history's payloads, except search attributes (plaintext to be searchable) and the SDK's own
 * local-activity marker record (`details.data`: sequence number, activity type, times; the result beside it is ours).
 */
function payloadEncodings(value: unknown, parentKey = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (key === 'searchAttributes' || (parentKey === 'details' && key === 'data')) return [];
    const encoding = (child as { metadata?: { encoding?: string } } | null)?.metadata?.encoding;
    if (typeof encoding === 'string') return [Buffer.from(encoding, 'base64').toString()];
    return payloadEncodings(child, key);
  });
}

/** Every recorded history must replay on today's workflow code: runs in flight survive a deploy. */
describe('replay of recorded workflow histories', () => {
  it('has fixtures to replay, plaintext ones and encrypted ones', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    const encrypted = fixtures.filter((file) => file.endsWith('-encrypted.json'));
    expect(encrypted.length).toBeGreaterThan(0);
    for (const file of encrypted) {
      const encodings = new Set(payloadEncodings(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).history));
      expect([file, [...encodings]]).toEqual([file, ['binary/encrypted']]);
    }
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string }, dataConverter: dataConverterWith(payloadCodec) },
        history,
        workflowId,
      ),
    ).resolves.toBeUndefined();
  });
});

describe('replay of an encrypted history needs its key', () => {
  const file = 'deliverMessage-read-v4-encrypted.json';
  const replay = (payloadCodecs: EncryptionCodec[]) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    // No failure converter here: the codec's error reaches the test in clear.
    return Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string }, dataConverter: { payloadCodecs } }, history, workflowId);
  };

  it('fails without the codec, and with keys that do not hold its key id', async () => {
    // The SDK cannot read the sealed input ("Unknown encoding", itself an encoded failure from the sandbox).
    await expect(replay([])).rejects.toThrow(/Replay failed/);
    const otherKeys = new EncryptionCodec(parsePayloadKeys(`other:${Buffer.alloc(32, 7).toString('base64')}`));
    // (The replay error quotes the codec's message with its quotes escaped.)
    await expect(replay([otherKeys])).rejects.toThrow(/payload encrypted with key id \W*replay-fixtures\W*, which is not in PAYLOAD_KEYS \(other\)/);
  });
});
