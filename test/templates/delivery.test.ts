import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent } from '../../src/store/consent';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { templateCases, templateDefinitions } from '../support/templateCases';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: { receiptTimeoutSeconds: 10, lateReceiptWindowSeconds: 20 } });
  for (const definition of templateDefinitions) h.meta.upsertTemplate(h.location.wabaId, definition);
  expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=true`)).status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
async function deliver(text: string, options: { window?: boolean; contactId?: string } = {}) {
  counter += 1;
  const phone = `+1586999${String(1000 + counter)}`;
  await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
  if (options.window) await h.openWindow(h.location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: text, attachments: [] });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  const outcome = await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId));
  const sent = h.meta.sentMessages.filter((message) => message.to === phone);
  const failure = h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId && update.status === 'failed');
  return { outcome, sent, failure, phone };
}

interface SentTemplate {
  name: string;
  language: { code: string };
  components?: Array<{ type: string; parameters: Array<{ text: string }> }>;
}
const bodyParameters = (template: SentTemplate) => template.components?.find((component) => component.type === 'body')?.parameters.map((parameter) => parameter.text) ?? [];

describe('templates in the delivery workflow', () => {
  it('sends the matching approved template with its parameters outside the window, and plain text inside it', async () => {
    const outside = await deliver('Hi Ana, your appointment is on May 3 at 10:00.');
    expect(outside.sent).toHaveLength(1);
    const template = (outside.sent[0]?.payload as { template: SentTemplate }).template;
    expect(template).toMatchObject({ name: 'appointment_reminder', language: { code: 'en_US' } });
    expect(bodyParameters(template)).toEqual(['Ana', 'May 3', '10:00']);

    const inside = await deliver('Hi Ana, your appointment is on May 3 at 10:00.', { window: true });
    expect(inside.sent.map((message) => message.payload)).toEqual([
      expect.objectContaining({ type: 'text', text: { preview_url: false, body: 'Hi Ana, your appointment is on May 3 at 10:00.' } }),
    ]);
  });

  it('fails unmatched text outside the window with a reason naming the cause', async () => {
    const { sent, failure } = await deliver('Random note that fits no template at all');
    expect(sent).toEqual([]);
    expect(failure).toMatchObject({ error: { code: 'no_template_match', message: expect.stringMatching(/^outside the 24-hour window: .*template/) } });
  });

  it('strips an inline directive and sends the template it names, even inside the window', async () => {
    const { sent } = await deliver('#wa:appointment_generic Hi Ana, your appointment is on May 3.', { window: true });
    const template = (sent[0]?.payload as { template: SentTemplate }).template;
    expect(template.name).toBe('appointment_generic');
    expect(bodyParameters(template)).toEqual(['Ana', 'May 3']);
  });

  it('decides again as outside the window, once, when Meta answers 131047 to free text', async () => {
    h.meta.failNextSends(1, { httpStatus: 400, code: 131047, message: '(#131047) Re-engagement message' });
    const { sent, outcome } = await deliver('Hi Bo, your appointment is on Friday at 9.', { window: true });
    expect(outcome).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(sent).toHaveLength(1);
    expect((sent[0]?.payload as { type: string }).type).toBe('template');
  });

  it('fails clearly when Meta paused the template after the sync, and the next sync records the pause', async () => {
    h.meta.setTemplateStatus(h.location.wabaId, 'appointment_generic', 'en_US', 'PAUSED');
    const { sent, failure } = await deliver('Hi Ana, your appointment is on May 3.');
    expect(sent).toEqual([]);
    expect(failure).toMatchObject({ error: { code: '132015', message: expect.stringContaining('appointment_generic') } });

    expect((await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=true`)).status).toBe(200);
    const listed = await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}/templates`);
    const paused = (listed.body.templates as Array<{ name: string; language: string; status: string }>).find(
      (template) => template.name === 'appointment_generic' && template.language === 'en_US',
    );
    expect(paused?.status).toBe('PAUSED');
    h.meta.setTemplateStatus(h.location.wabaId, 'appointment_generic', 'en_US', 'APPROVED');
    await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=true`);
  });

  it('agrees with the dry-run endpoint on the whole case table', async () => {
    const cases = templateCases.filter((item) => !item.contactLanguage && !item.locationLanguage);
    const dryRun = await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/dry-run`, {
      cases: cases.map((item) => ({ text: item.text, windowOpen: false })),
    });
    expect(dryRun.status).toBe(200);
    const decisions = dryRun.body.results as Array<{ kind: string; code?: string; template?: { name: string; language: string; components: unknown[] } }>;
    const outcomes: Array<Awaited<ReturnType<typeof deliver>>> = [];
    for (let start = 0; start < cases.length; start += 8) {
      outcomes.push(...(await Promise.all(cases.slice(start, start + 8).map((item) => deliver(item.text)))));
    }
    for (const [index, item] of cases.entries()) {
      const decision = decisions[index] as (typeof decisions)[number];
      const { sent, failure } = outcomes[index] as (typeof outcomes)[number];
      if (decision.kind === 'template') {
        const expected = decision.template as NonNullable<typeof decision.template>;
        const onTheWire = { name: expected.name, language: { code: expected.language }, ...(expected.components.length ? { components: expected.components } : {}) };
        expect([item.name, (sent[0]?.payload as { template: SentTemplate }).template]).toEqual([item.name, onTheWire]);
      } else {
        expect([item.name, sent.length, failure?.error?.code]).toEqual([item.name, 0, decision.code]);
      }
    }
  }, 240_000);
});
