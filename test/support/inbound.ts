import type { WebhookDelivery, WebhookPayload } from '@ghl-whatsapp/simulators';
import type { InboundOutcome } from '../../workflows/receiveInbound';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import type { Harness } from './harness';

/** The wamid of the (first) inbound message in a webhook the Meta simulator delivered. */
export function inboundWamid(delivery: WebhookDelivery<unknown>): string {
  return (delivery.payload as WebhookPayload).entry[0]?.changes[0]?.value.messages?.[0]?.id as string;
}

/** Waits for the inbound workflow of a WhatsApp message and returns what it did. */
export function inboundOutcome(h: Harness, wamid: string, provider: 'meta' | 'twilio' = 'meta'): Promise<InboundOutcome> {
  return h.temporal.workflow.getHandle(inboundWorkflowId(provider, wamid)).result();
}
