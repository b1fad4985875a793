import { patched } from '@temporalio/workflow';
import type { DeliveryPlan } from '../../activities/policyActivities';
import { buildOutboundParts, hasSticker, type OutboundPart } from '../../src/domain/outboundContent';

export function senderPaused(plan: DeliveryPlan): plan is Extract<DeliveryPlan, { action: 'skip' }> {
  return plan.action === 'skip' && plan.code === 'sender_paused';
}

/** A template goes alone (free-form media outside the window would be refused); free text keeps its attachments. */
export function partsFor(plan: Exclude<DeliveryPlan, { action: 'skip' }>, attachments: string[]): OutboundPart[] {
  if (plan.action === 'template') return [{ kind: 'template', template: plan.template }];
  // .webp goes as a sticker since this patch; asked only when one is attached, so other messages carry no marker.
  return buildOutboundParts(plan.text, attachments, { stickers: hasSticker(attachments) && patched('webp-as-sticker') });
}
