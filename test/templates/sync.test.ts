import crypto from 'node:crypto';
import type { TemplateDefinition } from '@ghl-whatsapp/simulators';
import { ensureTemplateSyncSchedule } from '../../src/temporal/templateSchedule';
import { adminCall } from '../support/adminApi';
import { startHarness, type Harness } from '../support/harness';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const admin = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => adminCall(h.apiUrl, method, path, body);

const reminder: TemplateDefinition = {
  name: 'appointment_reminder',
  language: 'en_US',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://cdn.example.com/clinic.jpg'] } },
    { type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' },
    { type: 'FOOTER', text: 'Sunny Dental' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Reschedule', url: 'https://book.example.com/r/{{1}}' }, { type: 'QUICK_REPLY', text: 'Confirm' }] },
  ],
};

describe('template sync', () => {
  it('stores every template of every page, with status, parts and the time of the sync', async () => {
    const location = await h.addLocation();
    h.meta.upsertTemplate(location.wabaId, reminder);
    for (let i = 0; i < 120; i += 1) {
      h.meta.upsertTemplate(location.wabaId, { name: `filler_${i}`, language: 'es', category: 'MARKETING', components: [{ type: 'BODY', text: `Oferta ${i}` }] });
    }

    const sync = await admin('POST', `/admin/locations/${location.id}/templates/sync?wait=true`);
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ workflowId: `template-sync:${location.id}`, failed: [], synced: [{ locationId: location.id, wabaId: location.wabaId, templates: 121 }] });
    expect(sync.body.synced[0].changes).toHaveLength(121);

    const listed = await admin('GET', `/admin/locations/${location.id}/templates`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ locationId: location.id, wabaId: location.wabaId, lastSyncError: null });
    expect(Date.parse(listed.body.lastSyncedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(listed.body.templates).toHaveLength(121);
    expect(listed.body.templates[0]).toMatchObject({
      name: 'appointment_reminder',
      language: 'en_US',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'POSITIONAL',
      body: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.',
      // Meta's example.header_handle is a review sample: never kept as media to send.
      header: { format: 'IMAGE' },
      footer: 'Sunny Dental',
      buttons: [
        { index: 0, type: 'URL', text: 'Reschedule', url: 'https://book.example.com/r/{{1}}' },
        { index: 1, type: 'QUICK_REPLY', text: 'Confirm' },
      ],
      history: [{ from: null, to: 'APPROVED' }],
    });
  });

  it('records a template Meta pauses between syncs as paused, and the decision then names it', async () => {
    const location = await h.addLocation();
    h.meta.upsertTemplate(location.wabaId, { name: 'follow_up', language: 'en_US', components: [{ type: 'BODY', text: 'Hi {{1}}, just checking in about {{2}}.' }] });
    expect((await admin('POST', `/admin/locations/${location.id}/templates/sync?wait=true`)).status).toBe(200);
    const text = 'Hi Ana, just checking in about your visit.';
    expect((await admin('POST', `/admin/locations/${location.id}/templates/dry-run`, { text })).body).toMatchObject({ kind: 'template', template: { name: 'follow_up' } });

    h.meta.setTemplateStatus(location.wabaId, 'follow_up', 'en_US', 'PAUSED');
    const second = await admin('POST', `/admin/locations/${location.id}/templates/sync?wait=true`);
    expect(second.body.synced[0].changes).toEqual([{ name: 'follow_up', language: 'en_US', from: 'APPROVED', to: 'PAUSED' }]);
    const listed = await admin('GET', `/admin/locations/${location.id}/templates`);
    expect(listed.body.templates).toEqual([
      expect.objectContaining({ name: 'follow_up', status: 'PAUSED', history: [expect.objectContaining({ from: null, to: 'APPROVED' }), expect.objectContaining({ from: 'APPROVED', to: 'PAUSED' })] }),
    ]);
    expect((await admin('POST', `/admin/locations/${location.id}/templates/dry-run`, { text })).body).toEqual({
      kind: 'none',
      text,
      code: 'template_not_approved',
      reason: 'outside the 24-hour window: the text matches template follow_up/en_US (PAUSED), which Meta does not currently allow sending',
      billedAs: null,
    });

    const third = await admin('POST', `/admin/locations/${location.id}/templates/sync?wait=true`);
    expect(third.body.synced[0].changes).toEqual([]);
  });

  it('reports a sync Meta refuses, keeps the error for the listing, and refuses a location without a WABA', async () => {
    const location = await h.addLocation();
    await h.db.updateTable('locations').set({ whatsapp_waba_id: 'waba-not-at-meta' }).where('id', '=', location.id).execute();
    const refused = await admin('POST', `/admin/locations/${location.id}/templates/sync?wait=true`);
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatch(/^template sync failed: listing templates of WABA waba-not-at-meta: Graph answered 400 \(100\)/);
    const listed = await admin('GET', `/admin/locations/${location.id}/templates`);
    expect(listed.body).toMatchObject({ lastSyncedAt: null, lastSyncError: expect.stringContaining('waba-not-at-meta'), templates: [] });

    await h.db.updateTable('locations').set({ whatsapp_waba_id: null }).where('id', '=', location.id).execute();
    expect(await admin('POST', `/admin/locations/${location.id}/templates/sync`)).toMatchObject({ status: 409, body: { error: expect.stringContaining('wabaId') } });
  });

  it('answers at once without ?wait, with the workflow to follow', async () => {
    const location = await h.addLocation();
    const started = await admin('POST', `/admin/locations/${location.id}/templates/sync`);
    expect(started).toEqual({ status: 202, body: { started: true, workflowId: `template-sync:${location.id}` } });
    await h.temporal.workflow.getHandle(started.body.workflowId).result();
  });

  it('keeps every location in sync through an idempotent Temporal schedule', async () => {
    const location = await h.addLocation();
    h.meta.upsertTemplate(location.wabaId, { name: 'scheduled_one', language: 'en', components: [{ type: 'BODY', text: 'Scheduled {{1}}' }] });
    const scheduleId = `template-sync-test-${crypto.randomBytes(4).toString('hex')}`;
    const options = { taskQueue: h.config.TEMPORAL_TASK_QUEUE, scheduleId, every: '1h' } as const;
    try {
      expect(await ensureTemplateSyncSchedule(h.temporal, options)).toEqual({ scheduleId, created: true });
      await waitFor(async () => (await h.db.selectFrom('whatsapp_templates').select('name').where('location_id', '=', location.id).execute()).length === 1, {
        what: 'the scheduled sync to store the template',
      });
      expect(await ensureTemplateSyncSchedule(h.temporal, { ...options, every: '2h' })).toEqual({ scheduleId, created: false });
      const described = await h.temporal.schedule.getHandle(scheduleId).describe();
      expect(described.spec.intervals?.[0]?.every).toBe(2 * 3600_000);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'syncTemplates', taskQueue: h.config.TEMPORAL_TASK_QUEUE });
    } finally {
      await h.temporal.schedule.getHandle(scheduleId).delete();
    }
  });
});
