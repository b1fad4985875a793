/**
 * Records workflow histories as replay fixtures: `npm run record:histories`.
 * Run it before changing a workflow's command sequence; test/replay/replay.test.ts then proves the new
 * code still replays every recorded history (old runs in flight keep working after a deploy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId, templateSyncWorkflowId } from '../../workflows/shared';
import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { ADMIN_TOKEN } from '../support/harness';
import { appendConsent } from '../../src/store/consent';
import { findLedgerEntry } from '../../src/store/ledger';
import { pauseSender } from '../../src/store/locations';
import { startHarness, type Harness } from '../support/harness';
import { REPLAY_PAYLOAD_KEYS } from './payloadKeys';

/** e.g. `v4-encrypted`: the suffix of each file's name. */
const version = process.env.HISTORY_VERSION ?? 'v1';
const out = path.join(__dirname, 'histories');

let h: Harness;
beforeAll(async () => {
  // Payloads are encrypted as in production, with the fixtures' key so that replay.test.ts can decrypt them.
  h = await startHarness({ settings: { receiptTimeoutSeconds: 2, lateReceiptWindowSeconds: 3 }, env: { PAYLOAD_KEYS: REPLAY_PAYLOAD_KEYS } });
});
afterAll(async () => {
  await h?.stop();
});

async function record(name: string, workflowId: string): Promise<void> {
  const handle = h.temporal.workflow.getHandle(workflowId);
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  const file = path.join(out, `${name}-${version}.json`);
  // The same JSON as `temporal workflow show --output json` and the Web UI's download.
  fs.writeFileSync(file, `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1)}\n`);
}

let n = 0;
async function deliver(setup: (phone: string) => Promise<void> | void, options: { window?: boolean } = {}) {
  n += 1;
  const phone = `+1586777${String(1000 + n)}`;
  if (options.window !== false) await h.openWindow(h.location.id, phone);
  await setup(phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] });
  await h.caller.send(h.deliveryUrl, payload);
  return deliverWorkflowId(h.location.id, payload.messageId);
}

it('records deliverMessage histories', async () => {
  await record('deliverMessage-read', await deliver(() => undefined));
  await record('deliverMessage-receipt-failed', await deliver((phone) => h.meta.scriptReceipts(phone, [{ status: 'sent' }, { status: 'failed', error: { code: 131026 } }])));
  await record('deliverMessage-send-rejected', await deliver(() => h.meta.failNextSends(1, { httpStatus: 400, code: 131026 })));
  await record('deliverMessage-window-closed', await deliver(() => undefined, { window: false }));
  await record('deliverMessage-no-receipt', await deliver((phone) => h.meta.scriptReceipts(phone, [])));
  // Exactly the two status pushes (delivered, read): a spare fault would leak into the next recording.
  const refused = await deliver(() => h.highLevel.failNext(2, { status: 404, pathPrefix: '/conversations/messages/' }));
  await record('deliverMessage-status-push-refused', refused);
}, 120_000);

it('records receiveInbound and syncTemplates histories', async () => {
  const delivery = await h.meta.emitInbound({ from: '+15867771999', profileName: 'Ana', phoneNumberId: h.location.phoneNumberId, type: 'text', text: 'Hi there' });
  const wamid = (delivery.payload as { entry: Array<{ changes: Array<{ value: { messages: Array<{ id: string }> } }> }> }).entry[0]?.changes[0]?.value.messages[0]?.id as string;
  await record('receiveInbound-text', inboundWorkflowId('meta', wamid));

  h.meta.upsertTemplate(h.location.wabaId, {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
  });
  const response = await fetch(`${h.apiUrl}/admin/locations/${h.location.id}/templates/sync?wait=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  await record('syncTemplates-one-location', templateSyncWorkflowId(h.location.id));
}, 120_000);

it('records deliverMessage histories of templates and the SMS fallback', async () => {
  const fallback = await h.addLocation({ smsFallback: true, smsFallbackDeadlineSeconds: 1, receiptTimeoutSeconds: 1, lateReceiptWindowSeconds: 2 });
  h.meta.upsertTemplate(fallback.wabaId, {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
  });
  await fetch(`${h.apiUrl}/admin/locations/${fallback.id}/templates/sync?wait=true`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const reminder = async (name: string, setup: (phone: string) => void) => {
    n += 1;
    const phone = `+1586777${String(2000 + n)}`;
    await appendConsent(h.db, { locationId: fallback.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    setup(phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: fallback.id, phone, attachments: [], message: 'Hi Ana, your appointment is on May 3 at 10:00.' });
    await h.caller.send(h.deliveryUrl, payload);
    await record(name, deliverWorkflowId(fallback.id, payload.messageId));
  };
  await reminder('deliverMessage-template-read', () => undefined);
  await reminder('deliverMessage-template-sms-after-deadline', (phone) => h.meta.scriptReceipts(phone, []));
  await reminder('deliverMessage-template-sms-after-131026', (phone) => h.meta.scriptReceipts(phone, [{ status: 'failed', error: { code: 131026 } }]));
}, 120_000);

// Last, so the HighLevel faults scripted above are used up by the scenarios they were meant for.
it('records receiveInbound histories of SMS replies', async () => {
  // An SMS reply to the Twilio SMS fallback number takes the patched 'sms-inbound' branch of the same workflow.
  const reply = async (name: string, from: string, body: string) => {
    const sms = await h.twilio.emitInbound(`${h.apiUrl}/webhooks/twilio`, { accountSid: h.location.twilioAccountSid, channel: 'sms', from, to: h.location.smsFrom, body });
    expect(sms.statusCode).toBe(200);
    await record(name, inboundWorkflowId('twilio', sms.messageSid));
  };
  await reply('receiveInbound-sms', '+15867771998', 'C');
  await reply('receiveInbound-sms-stop', '+15867771997', 'STOP');
}, 120_000);

// Version 5 and later: a message held while the sender is paused, then released; a replay of a failed delivery.
it('records deliverMessage histories of a held message and of a replay', async () => {
  await pauseSender(h.db, h.location.id, 'WhatsApp error 131048: spam rate limit hit');
  const held = await deliver(() => undefined);
  for (let tries = 0; (await findLedgerEntry(h.db, held))?.status !== 'held'; tries += 1) {
    if (tries > 300) throw new Error('the message was not held');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  await fetch(`${h.apiUrl}/admin/locations/${h.location.id}`, { method: 'PUT', headers, body: JSON.stringify({ resumeSender: true }) });
  await record('deliverMessage-held-released', held);

  const failed = await deliver(() => h.meta.failNextSends(1, { httpStatus: 400, code: 131026 }));
  await h.temporal.workflow.getHandle(failed).result().catch(() => undefined);
  const replay = await fetch(`${h.apiUrl}/admin/replays`, { method: 'POST', headers, body: JSON.stringify({ messageIds: [failed], requestedBy: 'recorder' }) });
  expect(replay.status).toBe(202);
  for (let tries = 0; !(await findLedgerEntry(h.db, failed))?.status.match(/^(read|delivered)$/); tries += 1) {
    if (tries > 300) throw new Error('the replay did not deliver');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await record('deliverMessage-replay-read', failed);
}, 120_000);
