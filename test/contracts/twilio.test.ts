import { HighLevelDeliveryCaller, type ContentApprovalStatus } from '@ghl-whatsapp/simulators';
import { parseForm, signTwilioRequest } from '../../src/providers/twilio/signature';
import type { TwilioContent } from '../../src/providers/twilio/contentTemplates';
import { appendConsent } from '../../src/store/consent';
import { deliverWorkflowId } from '../../workflows/shared';
import { adminCall } from '../support/adminApi';
import { syncTemplates } from '../support/backends';
import { deliveryOutcome, expectPushedStatuses } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { vendorJson, vendorText } from '../support/vendorFixtures';
import { waitFor } from '../support/waitFor';

/**
 * Twilio's published examples (test/fixtures/vendor/twilio, sources in SOURCES.md) through the real product: the
 * template sync, the Delivery URL, the webhook receiver, Temporal and PostgreSQL, with the Twilio simulator serving
 * the Content API. Each case asserts what a user sees: the registry, what the contact gets, HighLevel's statuses.
 */

interface PublishedPage {
  contents: Array<TwilioContent & { account_sid: string; date_created: string; date_updated: string; approval_requests: Record<string, unknown> }>;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ backend: 'twilio' });
});
afterAll(async () => {
  await h?.stop();
});

/** A form POST to the receiver, signed as Twilio signs it: the public URL and the form, with the account's auth token. */
async function postSigned(raw: string, authToken: string, path = '/webhooks/twilio') {
  const signature = signTwilioRequest(authToken, `${h.config.PUBLIC_BASE_URL}${path}`, parseForm(raw));
  const response = await fetch(`${h.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: raw,
  });
  return { status: response.status, body: await response.text() };
}

/** The published form with some parameters replaced (the published values are masked or name another account). */
function withParams(raw: string, replacements: Record<string, string>): string {
  const params = new URLSearchParams(raw);
  for (const [name, value] of Object.entries(replacements)) params.set(name, value);
  return params.toString();
}

const receiptRows = (messageSid: string) => h.db.selectFrom('provider_receipts').selectAll().where('provider_message_id', '=', messageSid).execute();

describe('Twilio Content API: the published ContentAndApprovals page', () => {
  const published = vendorJson<PublishedPage>('twilio_content_and_approvals_list.json');

  beforeAll(() => {
    for (const content of published.contents) {
      const approval = content.approval_requests;
      const status = String(approval.status);
      h.twilio.addContent({
        sid: content.sid,
        friendlyName: content.friendly_name ?? '',
        language: content.language ?? '',
        variables: content.variables as Record<string, string>,
        types: content.types ?? {},
        ...(status === 'unsubmitted'
          ? {}
          : {
              approval: {
                status: status as ContentApprovalStatus,
                category: String(approval.category),
                name: String(approval.name),
                rejectionReason: String(approval.rejection_reason),
                allowCategoryChange: approval.allow_category_change === true,
              },
            }),
      });
    }
  });

  it('the simulator serves these contents as Twilio published them: approval_requests flat', async () => {
    const auth = `Basic ${Buffer.from(`${h.location.twilioAccountSid}:${h.location.twilioAuthToken}`).toString('base64')}`;
    const page = (await (await fetch(`${h.twilio.baseUrl}/v1/ContentAndApprovals?PageSize=50`, { headers: { authorization: auth } })).json()) as PublishedPage;
    const served = page.contents.filter((content) => published.contents.some((item) => item.sid === content.sid));
    const comparable = ({ account_sid: _a, date_created: _c, date_updated: _u, ...rest }: PublishedPage['contents'][number]) => rest;
    expect(served.map(comparable)).toEqual(published.contents.map(comparable));
  });

  it('syncs the approved and rejected WhatsApp templates into the registry, and skips the unsubmitted content', async () => {
    const sync = await syncTemplates(h);
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ failed: [], synced: [{ locationId: h.location.id, templates: 2 }] });
    const listed = await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}/templates`);
    expect(listed.body.templates).toEqual([
      expect.objectContaining({
        name: 'Media Test',
        language: 'en',
        status: 'APPROVED',
        category: 'TRANSACTIONAL',
        body: '{{1}}, Congratulations {{2}}! For additional assistance, please contact us at hello@twilio.com',
      }),
      expect.objectContaining({ name: 'Video Highlights', language: 'en', status: 'REJECTED' }),
    ]);
  });

  it('sends the approved template outside the 24-hour window: ContentSid, the content keys, its media; HighLevel shows read', async () => {
    const phone = '+15864639101';
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(h.location.id, phone, new Date(Date.now() - 25 * 3600_000));
    const message = 'Ana, Congratulations Maria! For additional assistance, please contact us at hello@twilio.com';
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message, attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId))).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const sent = h.twilio.messages.filter((sentMessage) => sentMessage.to === `whatsapp:${phone}`);
    expect(sent).toEqual([
      expect.objectContaining({
        contentSid: 'HX5fcd48a417c1cb59da349ad6d5da4607',
        contentVariables: { '1': 'Ana', '2': 'Maria' },
        body: message,
        mediaUrls: ['https://example.com/template'],
      }),
    ]);
    expectPushedStatuses(h.highLevel.statusUpdates.filter((update) => update.messageId === payload.messageId).map((update) => update.status), 'read');
  });

  it('the published ApprovalRequests fetch keeps the approval nested under whatsapp, which the list never does', async () => {
    const fetched = vendorJson<Record<string, Record<string, unknown>>>('twilio_content_approval_fetch.json');
    const auth = `Basic ${Buffer.from(`${h.location.twilioAccountSid}:${h.location.twilioAuthToken}`).toString('base64')}`;
    const served = (await (await fetch(`${h.twilio.baseUrl}/v1/Content/HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ApprovalRequests`, { headers: { authorization: auth } })).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.keys(served).sort()).toEqual(Object.keys(fetched).sort());
    const { name: _name, category: _category, content_type: _type, ...fixed } = fetched.whatsapp ?? {};
    expect(served.whatsapp).toMatchObject(fixed); // type whatsapp, status unsubmitted, no rejection reason
  });
});

describe('Twilio webhooks: the published status callback and incoming WhatsApp text', () => {
  it('stores the published delivered callback, byte for byte, when its account signed it (no message of ours: nothing shown)', async () => {
    const raw = vendorText('twilio_status_callback_whatsapp_delivered.txt');
    const accountSid = new URLSearchParams(raw).get('AccountSid') as string;
    const authToken = 'published-account-token';
    const configured = await adminCall(h.apiUrl, 'PUT', '/admin/locations/published-account', {
      whatsapp: { backend: 'twilio' },
      twilio: { accountSid, authToken, whatsAppFrom: '+14123456789' },
    });
    expect(configured.status).toBeLessThan(300);

    const response = await postSigned(raw, authToken);
    expect(response).toEqual({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    expect(await receiptRows('SMdf55df64a2ff4920bb0748193cfbb640')).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'delivered', message_id: null, payload: expect.objectContaining({ channel: 'whatsapp' }) }),
    ]);
    // The same form signed by another account's token proves nothing: refused, and nothing more is stored.
    expect((await postSigned(raw, h.location.twilioAuthToken)).status).toBe(403);
  });

  it("moves our message to delivered in HighLevel with the published callback's fields, for our message and account", async () => {
    const phone = '+15864639102';
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(h.location.id, phone);
    h.twilio.scriptCallbacks(`whatsapp:${phone}`, []); // the simulator stays silent: the published callback is the receipt
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: 'See you at 10:00', attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const sent = await waitFor(() => h.twilio.messages.find((message) => message.to === `whatsapp:${phone}`));
    const workflowId = deliverWorkflowId(h.location.id, payload.messageId);

    const raw = withParams(vendorText('twilio_status_callback_whatsapp_delivered.txt'), {
      MessageSid: sent.sid,
      SmsSid: sent.sid,
      AccountSid: h.location.twilioAccountSid,
      To: `whatsapp:${phone}`,
      ChannelToAddress: phone,
      From: `whatsapp:${h.location.twilioWhatsAppFrom}`,
    });
    const path = `/webhooks/twilio?ref=${encodeURIComponent(workflowId)}`;
    expect((await postSigned(raw, h.location.twilioAuthToken, path)).status).toBe(200);
    await waitFor(() => h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId && update.status === 'delivered'), { what: 'delivered in HighLevel' });
    const ledger = await waitFor(async () => {
      const row = await h.db.selectFrom('messages').select(['status', 'channel']).where('id', '=', workflowId).executeTakeFirst();
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(ledger).toEqual({ status: 'delivered', channel: 'whatsapp' });
  });

  it('refuses the published incoming text as captured (its AccountSid is masked) with the reason, and starts nothing', async () => {
    const raw = vendorText('twilio_inbound_whatsapp_text.txt');
    const response = await postSigned(raw, h.location.twilioAuthToken);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'AccountSid is not a Twilio account SID (AC followed by 32 hex digits)' });
    expect(h.highLevel.inboundMessages.filter((message) => message.message === 'hey')).toEqual([]);
  });

  it("threads the published incoming text into the HighLevel conversation once it names our account and number", async () => {
    const raw = withParams(vendorText('twilio_inbound_whatsapp_text.txt'), {
      AccountSid: h.location.twilioAccountSid,
      To: `whatsapp:${h.location.twilioWhatsAppFrom}`,
    });
    const response = await postSigned(raw, h.location.twilioAuthToken);
    expect(response).toEqual({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    const shown = await waitFor(() => h.highLevel.inboundMessages.find((message) => message.altId === 'SM45e9b726c0314a5524c3f3cb4ZZZZZ'), { what: 'the reply in HighLevel' });
    expect(shown).toMatchObject({ message: 'hey' });
  });
});

describe('Twilio media types for WhatsApp', () => {
  it('sends a .webp attachment as a sticker (MediaUrl alone) and the text as its own message, as Twilio takes image/webp', async () => {
    const phone = '+15864639104';
    await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(h.location.id, phone);
    const sticker = 'https://cdn.example.com/stickers/smile.webp';
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: 'Thanks for visiting!', attachments: [sticker] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId))).toMatchObject({ status: 'read', channel: 'whatsapp' });
    const sent = h.twilio.messages.filter((message) => message.to === `whatsapp:${phone}`);
    expect(sent.map((message) => ({ body: message.body, mediaUrls: message.mediaUrls }))).toEqual([
      { body: 'Thanks for visiting!', mediaUrls: [] },
      { body: undefined, mediaUrls: [sticker] },
    ]);
  });
});

describe('Twilio account-level failure', () => {
  it('pauses the sender when Meta disabled the account behind it (63112), and HighLevel shows why', async () => {
    const location = await h.addLocation({}, 'twilio');
    const phone = '+15864639103';
    await appendConsent(h.db, { locationId: location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
    await h.openWindow(location.id, phone);
    h.twilio.scriptCallbacks(`whatsapp:${phone}`, [{ status: 'undelivered', errorCode: 63112 }]);
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, phone, message: 'Your visit is confirmed', attachments: [] });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);

    expect(await deliveryOutcome(h.temporal, deliverWorkflowId(location.id, payload.messageId))).toMatchObject({ status: 'failed', code: '63112' });
    const failed = await waitFor(() => h.highLevel.statusUpdates.find((update) => update.messageId === payload.messageId && update.status === 'failed'));
    expect(JSON.stringify(failed.error)).toContain('Twilio error 63112: Meta disabled the Meta Business or WhatsApp Business Account behind this WhatsApp sender');
    const row = await h.db.selectFrom('locations').select('sender_paused_reason').where('id', '=', location.id).executeTakeFirstOrThrow();
    expect(row.sender_paused_reason).toContain('Twilio error 63112');
  });
});
