/**
 * Bundled into the workflow sandbox (no Node imports): failure messages and stack traces go into an encoded
 * attribute, which the payload codec encrypts, so a provider error that quotes a number is not kept in clear.
 * The failure's type (DeliveryFailed, …) stays readable; the message reads "Encoded failure" without the codec.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
