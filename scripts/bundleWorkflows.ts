import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/temporal/dataConverter';

/**
 * `node dist/scripts/bundleWorkflows.js <out.js>`: the workflow bundle built ahead of time (the Docker image does this),
 * so a worker started with WORKFLOW_BUNDLE_PATH=<out.js> polls within a second instead of bundling with webpack first.
 */
async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundleWorkflows <out.js>');
  // The failure converter is part of the bundle: failure messages are encrypted like payloads (src/worker.ts).
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), failureConverterPath: FAILURE_CONVERTER_PATH });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
