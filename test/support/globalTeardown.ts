import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dropRunDatabases } from './testDatabase';

/** Runs after every file, failed or not: no test database and no dev server outlive the run. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  const leftovers = runId ? await dropRunDatabases(runId) : [];
  if (leftovers.length > 0) process.stderr.write(`[teardown] dropped ${leftovers.length} test database(s) a test file left behind\n`);
  await (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__?.teardown();
}
