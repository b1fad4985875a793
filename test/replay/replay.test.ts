import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // another test file in this jest worker installed it already
}

const dir = path.join(__dirname, 'histories');
const fixtures = fs.readdirSync(dir).filter((file) => file.endsWith('.json')).sort();

/** Every recorded history must replay on today's workflow code: runs in flight survive a deploy. */
describe('replay of recorded workflow histories', () => {
  it('has fixtures to replay', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, history, workflowId),
    ).resolves.toBeUndefined();
  });
});
