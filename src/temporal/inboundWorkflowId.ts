import crypto from 'node:crypto';

/**
 * One workflow per inbound message: the provider's id makes redeliveries (Meta retries for 7 days) no-ops. A Meta
 * wamid is base64 around the sender's phone number, and workflow ids are plaintext everywhere (Temporal UI,
 * visibility, logs), so it goes in hashed; Twilio's MessageSid carries no personal data and stays readable.
 */
export function inboundWorkflowId(provider: 'meta' | 'twilio', providerMessageId: string): string {
  if (provider === 'twilio') return `inbound:twilio:${providerMessageId}`;
  return `inbound:meta:${crypto.createHash('sha256').update(providerMessageId).digest('base64url').slice(0, 32)}`;
}
