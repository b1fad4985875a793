import { classifyMetaError, describeMetaError } from './metaErrors';
import { classifyTwilioError, describeTwilioError } from './twilioErrors';

export type Provider = 'meta' | 'twilio';

/** What to do about a provider's error, whichever provider: the workflow acts on the class, never on a code. */
export type ErrorClass = 'retry' | 'needs_template' | 'fallback' | 'permanent' | 'pause_sender';

/** A provider's error as both back ends report it: a numeric code, the HTTP status of a refused request, its words. */
export interface ProviderError {
  code: number;
  httpStatus?: number;
  isTransient?: boolean;
  title?: string;
  details?: string;
}

/** Meta and Twilio codes mapped onto the same classes, so the workflow never asks which back end it used. */
export function classifyProviderError(provider: Provider, error: ProviderError): ErrorClass {
  return provider === 'twilio' ? classifyTwilioError(error) : classifyMetaError(error);
}

export function describeProviderError(provider: Provider, error: ProviderError): string {
  return provider === 'twilio' ? describeTwilioError(error) : describeMetaError(error);
}

/** A receipt's failure as the delivery workflow acts on it: the provider's error with its class and its words. */
export type ClassifiedFailure = ProviderError & { errorClass: ErrorClass; reason: string };

/**
 * The one place a receipt's failure is classified. A `failed` that carries no error (neither provider's contract
 * allows it, but a workflow must not guess) is that message's permanent failure, never an account problem.
 */
export function classifyReceiptFailure(provider: Provider, error: ProviderError | undefined): ClassifiedFailure {
  if (!error) return { code: 0, errorClass: 'permanent', reason: `${provider === 'twilio' ? 'Twilio' : 'WhatsApp'} reported the message as failed without saying why` };
  return { ...error, errorClass: classifyProviderError(provider, error), reason: describeProviderError(provider, error) };
}
