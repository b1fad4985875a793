import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/dataConverter';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared';

/** One real Temporal dev server (the go-built CLI) and one workflow bundle for the whole run. */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_RUN_ID = crypto.randomBytes(4).toString('hex');
  const cli = await ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
    },
  });
  (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__ = env;
  process.env.TEST_TEMPORAL_ADDRESS = env.address;

  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH, // failure messages encrypted, as src/worker.ts does
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ghlwa-bundle-')), 'workflows.js');
  fs.writeFileSync(bundlePath, code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
}
