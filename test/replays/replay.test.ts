import { spawn } from 'node:child_process';
import path from 'node:path';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { findLedgerEntry, ledgerTimeline } from '../../src/store/ledger';
import { pauseSender } from '../../src/store/locations';
import { requestReplay } from '../../src/replay/replays';
import { deliverWorkflowId, deliveryStateQuery } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { templateDefinitions } from '../support/templateCases';
import { waitFor } from '../support/waitFor';

/**
 * Replaying failed deliveries (issue 12) on the real stack: four messages fail — no approved template, the sender
 * paused by 131048, Twilio refusing the SMS fallback, 131047 arriving as a status after WhatsApp accepted the send —
 * and after the causes are fixed one replay by filter sends each exactly once; a second sends nothing.
 * Meanwhile a message sent while the sender is paused is held, then released by the resume.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { smsFallback: true, smsFallbackOn: ['not_on_whatsapp'], receiptTimeoutSeconds: 5, lateReceiptWindowSeconds: 8 } });
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
async function post(text: string, options: { window?: boolean } = {}) {
  counter += 1;
  const phone = `+1586777${String(1000 + counter)}`;
  await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
  if (options.window !== false) await h.openWindow(h.location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: text, attachments: [] });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  return { phone, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
}

const whatsAppTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone);
const smsTo = (phone: string) => h.twilio.messages.filter((message) => message.to === phone);
const replayedEvents = async (workflowId: string) => (await ledgerTimeline(h.db, workflowId)).filter((event) => event.type === 'replayed');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../support/swcRegister.js'), path.join(__dirname, '../../scripts/replay.ts'), ...args], {
    env: { ...process.env, ADMIN_TOKEN, REPLAY_API_URL: h.apiUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function replayAndWait(filter: Record<string, unknown>) {
  const started = await adminCall(h.apiUrl, 'POST', '/admin/replays', { ...filter, requestedBy: 'ops@test', note: 'causes fixed' });
  expect(started.status).toBe(202);
  return waitFor(
    async () => {
      const progress = await adminCall(h.apiUrl, 'GET', `/admin/replays/${started.body.id}`);
      return progress.body.state === 'done' && progress.body;
    },
    { what: 'the replay to finish', timeoutMs: 60_000 },
  );
}

describe('replaying failed deliveries', () => {
  it('replays each fixed failure exactly once, holds messages of a paused sender, and a second replay sends nothing', async () => {
    const reminder = 'Hi Ana, your appointment is on May 3 at 10:00.';
    // Fails: outside the window, and no approved template yet.
    const noTemplate = await post(reminder, { window: false });
    // Fails: not on WhatsApp, and Twilio refuses the SMS fallback.
    counter += 1;
    const twilioDownPhone = `+1586777${String(1000 + counter)}`;
    h.meta.scriptReceipts(twilioDownPhone, [{ status: 'sent' }, { status: 'failed', error: { code: 131026, title: 'Message undeliverable' } }]);
    h.twilio.failNextCreates(1, { httpStatus: 401, code: 20005, message: 'Account not active' });
    counter -= 1;
    const twilioDown = await post('Your order is ready');
    expect(twilioDown.phone).toBe(twilioDownPhone);
    // Fails after WhatsApp accepted it: 131047 as a status (window closed after all), then no template to fall back on.
    counter += 1;
    const lateFailurePhone = `+1586777${String(1000 + counter)}`;
    counter -= 1;
    h.meta.scriptReceipts(lateFailurePhone, [{ status: 'sent' }, { status: 'failed', error: { code: 131047, title: 'Re-engagement message' } }]);
    const lateFailure = await post('See you tomorrow!');
    expect(lateFailure.phone).toBe(lateFailurePhone);
    const delivered = await post('Thanks for your visit');

    for (const message of [noTemplate, twilioDown, lateFailure]) expect(await deliveryOutcome(h.temporal, message.workflowId)).toMatchObject({ status: 'failed' });
    expect(await deliveryOutcome(h.temporal, delivered.workflowId)).toMatchObject({ status: 'read' });
    const lateFailureFirstId = whatsAppTo(lateFailure.phone)[0]?.wamid;
    expect(lateFailureFirstId).toBeDefined();

    // Fails: 131048 pauses the sender.
    h.meta.failNextSends(1, { httpStatus: 400, code: 131048, message: '(#131048) Spam rate limit hit' });
    const pausedBy = await post('Reminder: bring your card');
    expect(await deliveryOutcome(h.temporal, pausedBy.workflowId)).toMatchObject({ status: 'failed', code: '131048' });
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}`)).body.whatsapp.senderPausedReason).toContain('131048');

    // While paused, a new message is held (ledger, timeline, the workflow's state), not failed.
    const held = await post('We moved your appointment');
    await waitFor(async () => (await findLedgerEntry(h.db, held.workflowId))?.status === 'held', { what: 'the message held' });
    expect((await h.temporal.workflow.getHandle(held.workflowId).query(deliveryStateQuery)).status).toBe('held');
    expect((await findLedgerEntry(h.db, held.workflowId))?.status_reason).toContain('131048');
    expect(whatsAppTo(held.phone)).toHaveLength(0);

    // The resume releases it.
    expect((await adminCall(h.apiUrl, 'PUT', `/admin/locations/${h.location.id}`, { resumeSender: true })).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, held.workflowId)).toMatchObject({ status: 'read' });
    expect(whatsAppTo(held.phone)).toHaveLength(1);
    expect((await ledgerTimeline(h.db, held.workflowId)).map((event) => event.type)).toEqual(expect.arrayContaining(['held', 'decided', 'sent']));

    // Fix the template cause (approve and sync); the pause is already resumed; Twilio answers again.
    for (const definition of templateDefinitions) h.meta.upsertTemplate(h.location.wabaId, definition);
    expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=true`)).status).toBe(200);

    const failed = [noTemplate, twilioDown, lateFailure, pausedBy].map((message) => message.workflowId);
    const filter = { locationId: h.location.id, since: new Date(Date.now() - 3600_000).toISOString() };
    const dryRun = await adminCall(h.apiUrl, 'POST', '/admin/replays', { ...filter, dryRun: true });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.messages.filter((message: { action: string }) => message.action === 'replay').map((message: { messageId: string }) => message.messageId).sort()).toEqual([...failed].sort());
    expect(dryRun.body.messages.map((message: { messageId: string }) => message.messageId)).not.toContain(delivered.workflowId);
    expect(dryRun.body.messages.map((message: { messageId: string }) => message.messageId)).not.toContain(held.workflowId);
    expect(dryRun.body.byReason).toMatchObject({ no_template_match: 2, '131048': 1 });

    // The CLI's dry run lists the same messages.
    const cli = await runCli(['--location', h.location.id, '--since', filter.since, '--dry-run']);
    expect(cli).toMatchObject({ code: 0 });
    for (const workflowId of failed) expect(cli.stdout).toMatch(new RegExp(`replay\\s+${workflowId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(cli.stdout).toContain('to replay: 4');
    // Without a terminal and without --yes, it replays nothing.
    const refused = await runCli(['--location', h.location.id, '--since', filter.since]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');

    // The SMS of the replayed Twilio-down message goes out this time (WhatsApp still says 131026).
    h.meta.scriptReceipts(twilioDown.phone, [{ status: 'sent' }, { status: 'failed', error: { code: 131026, title: 'Message undeliverable' } }]);
    const before = { whatsApp: failed.length, sms: smsTo(twilioDown.phone).length };
    const counts = new Map([noTemplate, twilioDown, lateFailure, pausedBy].map((message) => [message.phone, whatsAppTo(message.phone).length]));
    const first = await replayAndWait(filter);
    expect({ counts: first.counts, notDone: first.messages.filter((message: { result: string }) => message.result !== 'done') }).toMatchObject({ counts: { total: 4, done: 4, failed: 0, skipped: 0 }, notDone: [] });
    for (const message of [noTemplate, twilioDown, lateFailure, pausedBy]) {
      expect(whatsAppTo(message.phone)).toHaveLength((counts.get(message.phone) ?? 0) + 1);
      expect(await replayedEvents(message.workflowId)).toEqual([
        expect.objectContaining({ detail: expect.objectContaining({ requestedBy: 'ops@test', note: 'causes fixed', replayId: first.id, runId: expect.any(String) }) }),
      ]);
    }
    expect(smsTo(twilioDown.phone)).toHaveLength(before.sms + 1);
    // The message that failed after acceptance was sent again under its own reference, with its own id.
    const resent = whatsAppTo(lateFailure.phone).at(-1);
    expect(resent?.wamid).not.toBe(lateFailureFirstId);
    expect(resent?.payload.biz_opaque_callback_data).toMatch(new RegExp(`^${lateFailure.workflowId}#r\\d+$`));
    expect(['delivered', 'read']).toContain((await findLedgerEntry(h.db, lateFailure.workflowId))?.status);
    expect(whatsAppTo(delivered.phone)).toHaveLength(1);

    // A second identical replay sends nothing and says why.
    const sentBefore = h.meta.sentMessages.length;
    const smsBefore = h.twilio.messages.length;
    const again = await adminCall(h.apiUrl, 'POST', '/admin/replays', { ...filter, dryRun: true });
    expect(again.body).toMatchObject({ toReplay: 0, skippedBy: { already_delivered: 4 } });
    const second = await replayAndWait(filter);
    expect(second.counts).toMatchObject({ total: 4, skipped: 4, done: 0 });
    expect(second.messages.map((message: { skip: string }) => message.skip)).toEqual(['already_delivered', 'already_delivered', 'already_delivered', 'already_delivered']);
    expect(h.meta.sentMessages.length).toBe(sentBefore);
    expect(h.twilio.messages.length).toBe(smsBefore);
  });

  it('fails a held message once its max age passes, naming the pause; it is then replayable', async () => {
    const location = await h.addLocation({ heldMaxAgeSeconds: 2 });
    await pauseSender(h.db, location.id, 'WhatsApp error 131048: spam rate limit hit');
    const phone = '+15867779001';
    await h.openWindow(location.id, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, message: 'Your table is ready', attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const workflowId = deliverWorkflowId(location.id, payload.messageId);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed', code: 'sender_paused', reason: expect.stringContaining('the sender was not resumed') });
    expect((await ledgerTimeline(h.db, workflowId)).map((event) => event.type)).toEqual(expect.arrayContaining(['held', 'failed']));
    expect(whatsAppTo(phone)).toHaveLength(0);
    const dryRun = await adminCall(h.apiUrl, 'POST', '/admin/replays', { locationId: location.id, errorClass: 'pause_sender', dryRun: true });
    expect(dryRun.body).toMatchObject({ toReplay: 1, byReason: { sender_paused: 1 }, messages: [expect.objectContaining({ messageId: workflowId, action: 'replay' })] });
  });

  it('finishes a replay whose api died after claiming it: the job is in PostgreSQL, a stale claim is taken again', async () => {
    h.meta.failNextSends(1, { httpStatus: 400, code: 131053, message: '(#131053) Media upload error' });
    const message = await post('Your parcel is on its way');
    expect(await deliveryOutcome(h.temporal, message.workflowId)).toMatchObject({ status: 'failed' });
    // As an api would leave it that recorded the job, claimed the item and died before starting anything.
    const { id } = await requestReplay(h.db, { messageIds: [message.workflowId] }, { requestedBy: 'ops@test' });
    await h.db.updateTable('replay_items').set({ state: 'claimed', claimed_at: new Date(Date.now() - 120_000) }).where('replay_id', '=', id).execute();
    const done = await waitFor(async () => {
      const progress = await adminCall(h.apiUrl, 'GET', `/admin/replays/${id}`);
      return progress.body.state === 'done' && progress.body;
    }, { what: 'the orphaned replay to be worked' });
    expect(done.counts).toMatchObject({ total: 1, done: 1 });
    expect(whatsAppTo(message.phone)).toHaveLength(1);
    expect(await replayedEvents(message.workflowId)).toHaveLength(1);
  });

  it('replays from the CLI with --yes and shows progress with counts', async () => {
    const location = await h.addLocation({ smsFallback: false });
    const phone = '+15867779002';
    await h.openWindow(location.id, phone);
    h.meta.failNextSends(1, { httpStatus: 400, code: 131053, message: '(#131053) Media upload error' });
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, message: 'Your results are in', attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const workflowId = deliverWorkflowId(location.id, payload.messageId);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'failed' });
    const cli = await runCli(['--location', location.id, '--reason', '131053', '--yes', '--note', 'media fixed']);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toMatch(/replay replay-[\w-]+ started/);
    expect(cli.stdout).toMatch(/1 messages: 0 pending, 0 replaying, 1 done, 0 failed, 0 skipped/);
    expect(whatsAppTo(phone)).toHaveLength(1);
    expect(await replayedEvents(workflowId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ requestedBy: expect.stringMatching(/^cli:/), note: 'media fixed' }) })]);
  });

  it('refuses a bad replay request with the reasons, and starts nothing', async () => {
    const replaysBefore = (await h.db.selectFrom('replays').select('id').execute()).length;
    const noScope = await adminCall(h.apiUrl, 'POST', '/admin/replays', { dryRun: true });
    expect(noScope.status).toBe(400);
    expect(noScope.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'locationId' })]));
    const bad = await adminCall(h.apiUrl, 'POST', '/admin/replays', { locationId: h.location.id, since: 'yesterday', errorClass: 'weird', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((field: { field: string }) => field.field)).toEqual(expect.arrayContaining(['since', 'errorClass']));
    expect((await adminCall(h.apiUrl, 'GET', '/admin/replays/replay-unknown')).status).toBe(404);
    expect(await h.db.selectFrom('replays').select('id').execute()).toHaveLength(replaysBefore);
  });
});
