import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { locationsWithTemplates } from '../../src/store/templates';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome, expectPushedStatuses } from '../support/expectations';
import { BACKENDS, driverFor, syncTemplates, type BackendDriver } from '../support/backends';
import { startHarness, type Harness } from '../support/harness';

const REMINDER = 'Hi Ana, your appointment is on May 3 at 10:00.';

describe.each(BACKENDS)('templates outside the 24-hour window over the %s back end', (backend) => {
  let h: Harness;
  let provider: BackendDriver;
  beforeAll(async () => {
    h = await startHarness({ backend });
    provider = driverFor(h, backend);
    provider.addTemplate({ name: 'appointment_reminder', language: 'en_US', body: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("syncs the back end's approved templates into the registry the matcher reads", async () => {
    const sync = await syncTemplates(h);
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ failed: [], synced: [{ locationId: h.location.id, templates: 1, changes: [{ name: 'appointment_reminder', from: null, to: 'APPROVED' }] }] });
    expect(await locationsWithTemplates(h.db)).toContain(h.location.id); // the scheduled sync covers it too
    const listed = await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}/templates`);
    expect(listed.body.templates).toEqual([
      expect.objectContaining({ name: 'appointment_reminder', language: 'en_US', category: 'UTILITY', status: 'APPROVED', body: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }),
    ]);
  });

  it('sends the matching approved template with the body parameters ["Ana", "May 3", "10:00"]', async () => {
    const phone = '+15864639001';
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(h.location.id, phone, new Date(Date.now() - 25 * 3600_000));
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: REMINDER, attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    const workflowId = deliverWorkflowId(h.location.id, payload.messageId);
    expect(await deliveryOutcome(h.temporal, workflowId)).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const sent = provider.sentTo(phone);
    expect(sent).toEqual([expect.objectContaining({ kind: 'template' })]);
    // What each provider documents for a template with three body parameters.
    const contentSid = (await h.db.selectFrom('whatsapp_templates').select('meta_id').where('location_id', '=', h.location.id).executeTakeFirstOrThrow()).meta_id;
    const onTheWire = {
      cloud: {
        type: 'template',
        template: {
          name: 'appointment_reminder',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'May 3' }, { type: 'text', text: '10:00' }] }],
        },
      },
      twilio: { contentSid, contentVariables: { '1': 'Ana', '2': 'May 3', '3': '10:00' }, body: REMINDER, mediaUrls: [] },
    }[backend];
    expect(sent[0]?.wire).toMatchObject(onTheWire);
    if (backend === 'twilio') expect(contentSid).toMatch(/^HX[0-9a-f]{32}$/);
    expectPushedStatuses(h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId).map((update) => update.status), 'read');
  });
});
