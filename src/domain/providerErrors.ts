import { classifyMetaError, describeMetaError, type ErrorClass, type ProviderError } from './metaErrors';
import { classifyTwilioError, describeTwilioError } from './twilioErrors';

export type Provider = 'meta' | 'twilio';

/** Meta and Twilio codes mapped onto the same classes, so the workflow never asks which back end it used. */
export function classifyProviderError(provider: Provider, error: ProviderError): ErrorClass {
  return provider === 'twilio' ? classifyTwilioError(error) : classifyMetaError(error);
}

export function describeProviderError(provider: Provider, error: ProviderError): string {
  return provider === 'twilio' ? describeTwilioError(error) : describeMetaError(error);
}
