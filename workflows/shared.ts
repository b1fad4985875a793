/**
 * Names shared by the client side (HTTP receivers, activities) and workflow code.
 * No Node imports here: this module is bundled into the workflow sandbox.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ErrorClass } from '../src/domain/providerErrors';

/** Search attributes ops filter on in the Temporal Web UI (e.g. `HighLevelMessageId="abc"`). */
export const SEARCH_ATTRIBUTES = {
  locationId: defineSearchAttributeKey('LocationId', SearchAttributeType.KEYWORD),
  contactId: defineSearchAttributeKey('ContactId', SearchAttributeType.KEYWORD),
  highLevelMessageId: defineSearchAttributeKey('HighLevelMessageId', SearchAttributeType.KEYWORD),
  deliveryChannel: defineSearchAttributeKey('DeliveryChannel', SearchAttributeType.KEYWORD),
  deliveryStatus: defineSearchAttributeKey('DeliveryStatus', SearchAttributeType.KEYWORD),
  /** Why the SMS fallback went out (no_receipt, not_on_whatsapp, no_template, …); unset when it did not. */
  fallbackReason: defineSearchAttributeKey('FallbackReason', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTES);

/** What a delivery run starts with (the first run and every replay): who, which message, nothing decided yet. */
export function initialDeliverySearchAttributes(message: { locationId: string; contactId: string; highLevelMessageId: string }) {
  return [
    { key: SEARCH_ATTRIBUTES.locationId, value: message.locationId },
    { key: SEARCH_ATTRIBUTES.contactId, value: message.contactId },
    { key: SEARCH_ATTRIBUTES.highLevelMessageId, value: message.highLevelMessageId },
    { key: SEARCH_ATTRIBUTES.deliveryChannel, value: 'none' },
    { key: SEARCH_ATTRIBUTES.deliveryStatus, value: 'received' },
  ];
}


export interface DeliverMessageInput {
  locationId: string;
  contactId: string;
  highLevelMessageId: string;
  /** Null when the number could not be normalised; phoneProblem says why. */
  phoneE164: string | null;
  phoneProblem?: string;
  text: string;
  attachments: string[];
  receivedAt: string;
  /**
   * Which version of the delivery runs: the starter sets DELIVERY_VERSION; runs started without it (all recorded
   * before v4) replay the frozen versions. Chosen over patched(), whose marker also upserts a search attribute
   * (an event and a billable action on every message).
   */
  version?: number;
  /** A replay of a failed delivery (src/replay): a new run of the same workflow id, sending under its own reference. */
  replay?: ReplayRun;
}

export interface ReplayRun {
  /** Unique across all replays (the replay item's id): the send reference of this run is `<workflow id>#r<number>`. */
  number: number;
  replayId: string;
}

/**
 * The lean delivery (workflows/delivery/run.ts). 5: a message of a paused sender is held (not failed) until the
 * sender is resumed (`release` signal) or its max age passes; replays send under their own reference. 6: a status
 * that does not end the delivery is pushed by a local activity (proxies.ts, reportingInTask). 7: every report is, each
 * a ledger step written once however often it runs.
 */
export const DELIVERY_VERSION = 7;

export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface ReceiptSignal {
  channel: 'whatsapp' | 'sms';
  providerMessageId: string;
  status: ReceiptStatus;
  occurredAt: string;
  /** errorClass and reason: the receiver's classification with the provider's own table (absent in v1–v3 histories). */
  error?: { code: number; title?: string; details?: string; errorClass?: ErrorClass; reason?: string };
}

export interface DeliveryState {
  status: string;
  channel: 'whatsapp' | 'sms' | 'both' | 'none';
  reason?: string;
  parts: Record<string, string>;
}

export const receiptSignal = defineSignal<[ReceiptSignal]>('receipt');
/** The location's sender was resumed: a held message (v5) plans again and sends. */
export const releaseSignal = defineSignal('release');
export const deliveryStateQuery = defineQuery<DeliveryState>('deliveryState');

/** One workflow per HighLevel message: the ID is the idempotency key for HighLevel's redeliveries. */
export function deliverWorkflowId(locationId: string, highLevelMessageId: string): string {
  return `deliver:${locationId}:${highLevelMessageId}`;
}

export function isDeliverWorkflowId(value: string | undefined): value is string {
  return value !== undefined && value.startsWith('deliver:');
}

/** The location in a deliverWorkflowId (location ids hold no ':'). */
export function locationOfDeliverWorkflowId(workflowId: string): string {
  return workflowId.split(':')[1] ?? '';
}

/**
 * The reference a send carries to the provider (Meta biz_opaque_callback_data, Twilio's callback `ref`): the
 * workflow id, plus `#r<n>` for a replay, so a replay never adopts (or is confused with) the failed run's sends.
 */
export function sendReference(workflowId: string, replay?: ReplayRun): string {
  return replay ? `${workflowId}#r${replay.number}` : workflowId;
}

/** The delivery workflow a provider's reference belongs to; undefined when it is not one of ours. */
export function workflowIdOfReference(reference: string | undefined): string | undefined {
  if (!isDeliverWorkflowId(reference)) return undefined;
  return reference.replace(/#r\d+$/, '');
}


export interface ReceiveInboundInput {
  /** Resolved by the receiver from the business number the message was sent to. */
  locationId: string;
  event: import('../src/providers/messagingPort').InboundEvent;
  receivedAt: string;
}

/** Template sync: one workflow per location at a time (a forced sync joins a running one); the schedule syncs all. */
export function templateSyncWorkflowId(locationId: string): string {
  return `template-sync:${locationId}`;
}

export const TEMPLATE_SYNC_SCHEDULE_ID = 'template-sync';
