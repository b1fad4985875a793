import type { DataConverter, PayloadCodec } from '@temporalio/common';

/** Pass to bundleWorkflowCode when bundling ahead of time: the sandbox converts workflow failures with it. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failureConverter');

/** The data converter of every client and worker of this deployment: payloads and failure messages encrypted. */
export function dataConverterWith(payloadCodec: PayloadCodec): DataConverter {
  return { payloadCodecs: [payloadCodec], failureConverterPath: FAILURE_CONVERTER_PATH };
}
