import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const consentUrl = (locationId = h.location.id) => `${h.apiUrl}/admin/locations/${locationId}/consent`;

async function post(body: string, contentType: string, token = ADMIN_TOKEN, url = consentUrl()) {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const postJson = (records: unknown, url?: string) => post(JSON.stringify({ records }), 'application/json', ADMIN_TOKEN, url);
async function consentOf(phone: string) {
  const response = await fetch(`${consentUrl()}/${encodeURIComponent(phone)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as { status: string; history: Array<Record<string, unknown>> } };
}

describe('admin consent API', () => {
  it('needs the admin token', async () => {
    expect((await post('{"records":[]}', 'application/json', 'wrong')).status).toBe(401);
    expect((await fetch(`${consentUrl()}/+15864730001`)).status).toBe(401);
  });

  it('records JSON rows and reports each bad row with the field and the reason', async () => {
    const { status, body } = await postJson([
      { phone: '+15864731001', status: 'opted_in', source: 'highlevel_form', evidence: 'Form "Book a call" on 2026-10-01' },
      { phone: '(586) 473-1002', status: 'opted_out' },
      { phone: 'not a number', status: 'opted_in' },
      { phone: '+15864731004', status: 'maybe' },
      { phone: '+15864731005', status: 'opted_in', source: 'a friend told me' },
      'nonsense',
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({
      locationId: h.location.id,
      received: 6,
      recorded: 2,
      failed: 4,
      errors: [
        { row: 3, field: 'phone', problem: expect.any(String) },
        { row: 4, field: 'status', problem: 'must be opted_in, opted_out or unknown' },
        { row: 5, field: 'source', problem: expect.stringContaining('api_import') },
        { row: 6, field: 'phone', problem: 'no phone number on the message' },
      ],
    });
    expect(await consentOf('+15864731001')).toMatchObject({
      status: 200,
      body: { status: 'opted_in', history: [{ status: 'opted_in', source: 'highlevel_form', evidence: 'Form "Book a call" on 2026-10-01' }] },
    });
    expect((await consentOf('+15864731002')).body).toMatchObject({ status: 'opted_out', history: [{ source: 'api_import', evidence: null }] });
  });

  it('records CSV (quoted cells, CRLF, BOM) and keeps the history append-only', async () => {
    const csv = '\uFEFFPhone,Status,Source,Evidence\r\n+15864732001,opted_in,api_import,"Imported from old CRM, list ""VIP"""\r\n+15864732001,opted_out,highlevel_tag,tag whatsapp-stop\r\n,opted_in,,\r\n';
    const { status, body } = await post(csv, 'text/csv');
    expect(status).toBe(200);
    expect(body).toMatchObject({ received: 3, recorded: 2, failed: 1, errors: [{ row: 3, field: 'phone' }] });
    const { body: consent } = await consentOf('+15864732001');
    expect(consent.status).toBe('opted_out');
    expect(consent.history.map((entry) => [entry.status, entry.source, entry.evidence])).toEqual([
      ['opted_in', 'api_import', 'Imported from old CRM, list "VIP"'],
      ['opted_out', 'highlevel_tag', 'tag whatsapp-stop'],
    ]);
  });

  it('answers 422 when no row could be recorded, 400 for an unusable body, 404 for an unknown location', async () => {
    expect(await postJson([{ phone: 'x', status: 'opted_in' }])).toMatchObject({ status: 422, body: { recorded: 0, failed: 1 } });
    expect(await post('{"phones":[]}', 'application/json')).toMatchObject({ status: 400, body: { error: expect.stringContaining('records') } });
    expect(await post('{not json', 'application/json')).toMatchObject({ status: 400 });
    expect(await post('number,consent_status\n+15864733001,opted_in\n', 'text/csv')).toMatchObject({ status: 400, body: { error: expect.stringContaining('phone and status') } });
    expect(await postJson([], undefined)).toMatchObject({ status: 400, body: { error: 'no rows to record' } });
    expect(await postJson([{ phone: '+15864733002', status: 'opted_in' }], consentUrl('loc-unknown'))).toMatchObject({ status: 404 });
  });

  it('an imported opt-out stops the next HighLevel SMS to that number, with the reason', async () => {
    const phone = '+15864734001';
    expect((await postJson([{ phone, status: 'opted_out', evidence: 'unsubscribed by email' }])).status).toBe(200);
    await h.openWindow(h.location.id, phone);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, attachments: [] });
    await h.caller.send(h.deliveryUrl, payload);
    const result = await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId));
    expect(result).toMatchObject({ status: 'failed', reason: 'contact opted out of WhatsApp' });
    expect(h.meta.sentMessages.filter((message) => message.to === phone)).toEqual([]);
    expect(h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId)).toMatchObject({
      status: 'failed',
      error: { code: 'opted_out', message: 'contact opted out of WhatsApp' },
    });
  });
});
