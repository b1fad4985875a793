import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Planned, PlanInput, ReportInput } from '../../activities/deliveryActivities';
import type { SmsSendOutcome } from '../../activities/smsActivities';
import type { DeliveryPlan } from '../../activities/policyActivities';
import type { WhatsAppSendOutcome } from '../../activities/whatsAppActivities';
import { DELIVERY_VERSION, receiptSignal, type DeliverMessageInput, type ReceiptSignal } from '../../workflows/shared';
import { waitFor } from '../support/waitFor';

/**
 * The delivery workflow's own decisions, on the real Temporal server with its activities stubbed (the workflow is the
 * thing under test here; the activities have their own real-stack tests): the re-decision after Meta's 131047, and the
 * SMS fallback racing a late WhatsApp receipt.
 */
const TEMPLATE: Extract<DeliveryPlan, { action: 'template' }> = {
  action: 'template',
  text: 'Hi Ana, your appointment is on Tuesday.',
  template: { name: 'appointment_reminder', language: 'en_US', category: 'UTILITY', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] },
  attachmentsUsed: [],
  source: 'automatic',
  reason: 'matches appointment_reminder',
};

interface Stubs {
  plans: PlanInput[];
  sends: Array<{ parts: unknown[]; round: number }>;
  sms: unknown[];
  reports: ReportInput[];
}

function policy(plan: DeliveryPlan, sms: { allowed: boolean; deadlineMs?: number } = { allowed: false }): Planned {
  return {
    duplicate: false,
    afterRestart: false,
    policy: {
      plan,
      receiptTimeoutMs: 60_000,
      lateReceiptWindowMs: 5_000,
      sms: {
        permission: sms.allowed ? { allowed: true } : { allowed: false, code: 'off', reason: 'SMS fallback is off for this location' },
        deadlineMs: sms.deadlineMs ?? 60_000,
        triggers: ['no_receipt', 'not_on_whatsapp', 'no_template', 'no_whatsapp_consent', 'whatsapp_unavailable'],
      },
    },
  };
}

let connection: NativeConnection;
let client: Client;
beforeAll(async () => {
  connection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS as string });
  client = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS as string }) });
});
afterAll(async () => {
  await connection.close();
});

/** Runs one delivery with these stubs until `drive` is done and the workflow ends; returns what the stubs saw. */
async function deliver(
  stubs: { plan(input: PlanInput): Planned; send(round: number): WhatsAppSendOutcome },
  drive: (signal: (receipt: ReceiptSignal) => Promise<void>, seen: Stubs) => Promise<void>,
): Promise<{ seen: Stubs; result: unknown }> {
  const seen: Stubs = { plans: [], sends: [], sms: [], reports: [] };
  const taskQueue = `workflow-test-${crypto.randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string },
    activities: {
      async planDelivery(input: PlanInput) {
        seen.plans.push(input);
        return stubs.plan(input);
      },
      async sendOverWhatsApp(input: { parts: unknown[]; round: number }) {
        seen.sends.push({ parts: input.parts, round: input.round });
        return stubs.send(input.round);
      },
      async sendOverSms(input: unknown): Promise<SmsSendOutcome> {
        seen.sms.push(input);
        return { sent: true, providerMessageId: 'SM1' };
      },
      async reportDelivery(input: ReportInput) {
        seen.reports.push(input);
      },
      async recordDelivery(input: ReportInput) {
        seen.reports.push(input);
      },
    },
    shutdownGraceTime: '1s',
  });
  const input: DeliverMessageInput = {
    locationId: 'loc-wf',
    contactId: 'c-1',
    highLevelMessageId: crypto.randomBytes(6).toString('hex'),
    phoneE164: '+15864603685',
    text: TEMPLATE.text,
    attachments: [],
    receivedAt: new Date().toISOString(),
    version: DELIVERY_VERSION,
  };
  const workflowId = `deliver:loc-wf:${input.highLevelMessageId}`;
  const running = worker.run();
  try {
    const handle = await client.workflow.start('deliverMessage', { taskQueue, workflowId, args: [input] });
    await drive((receipt) => handle.signal(receiptSignal, receipt), seen);
    const result = await handle.result();
    return { seen, result };
  } finally {
    worker.shutdown();
    await running;
  }
}

const receipt = (providerMessageId: string, status: ReceiptSignal['status'], channel: ReceiptSignal['channel'] = 'whatsapp', occurredAt = new Date().toISOString()): ReceiptSignal => ({
  channel,
  providerMessageId,
  status,
  occurredAt,
});

describe('deliverMessage, activities stubbed', () => {
  it('after a 131047 send rejection, decides again as outside the window once and sends the template', async () => {
    const { seen, result } = await deliver(
      {
        plan: (input) => policy(input.assumeWindowClosed ? TEMPLATE : { action: 'free_text', text: TEMPLATE.text }),
        send: (round) =>
          round === 1
            ? { sent: false, rejection: { errorClass: 'needs_template', code: 131047, reason: 'more than 24 hours since the contact last replied' } }
            : { sent: true, provider: 'meta', providerMessageIds: ['wamid.T'] },
      },
      async (signal, stubSeen) => {
        await waitFor(() => stubSeen.sends.length === 2, { what: 'the template send' });
        await signal(receipt('wamid.T', 'delivered'));
        await signal(receipt('wamid.T', 'read'));
      },
    );
    expect(seen.plans.map((plan) => plan.assumeWindowClosed ?? false)).toEqual([false, true]);
    expect(seen.sends.map((send) => (send.parts[0] as { kind: string }).kind)).toEqual(['text', 'template']);
    expect(seen.sms).toEqual([]);
    expect(result).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(seen.reports.flatMap((report) => (report.push ? [report.push.status] : []))).toEqual(expect.arrayContaining(['read']));
  });

  it('a WhatsApp receipt that comes after the SMS fallback went out is kept: the message reached the contact on both', async () => {
    const { seen, result } = await deliver(
      {
        plan: () => policy({ action: 'free_text', text: 'Your order is ready' }, { allowed: true, deadlineMs: 1_000 }),
        send: () => ({ sent: true, provider: 'meta', providerMessageIds: ['wamid.W'] }),
      },
      async (signal, stubSeen) => {
        // No WhatsApp receipt before the silence deadline: the SMS goes out; then both channels report.
        await waitFor(() => stubSeen.sms.length === 1, { what: 'the SMS fallback' });
        await signal(receipt('wamid.W', 'delivered'));
        await signal(receipt('SM1', 'delivered', 'sms'));
        await signal(receipt('wamid.W', 'read'));
      },
    );
    expect(seen.sends).toHaveLength(1);
    expect(seen.sms).toHaveLength(1);
    expect(result).toMatchObject({ status: 'read', channel: 'both' });
  });
});
