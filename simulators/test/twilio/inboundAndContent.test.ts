import { TwilioSimulator } from '@ghl-whatsapp/simulators';
import { ACCOUNT, BUSINESS, EMPTY_TWIML, PNG_BYTES, basicAuth, callbacksFor, receiver, sim, useTwilioSimulator, waitFor } from './support';
import { vendorJson } from '../../../test/support/vendorFixtures';

/** Twilio simulator contract tests: inbound webhooks and the Content API with ContentSid sends. */

describe('TwilioSimulator', () => {
  useTwilioSimulator();

  describe('inbound webhooks', () => {
    it('posts a signed WhatsApp message whose media the receiver downloads with Basic auth', async () => {
      const delivery = await sim.emitInbound(receiver.url('/twilio/inbound?location=loc1'), {
        from: '+16505551234',
        to: BUSINESS,
        body: 'see attached',
        profileName: 'Alice',
        media: [{ contentType: 'image/png', bytes: PNG_BYTES }],
      });
      expect(delivery).toMatchObject({ kind: 'inbound', statusCode: 200, responseContentType: 'text/xml', responseBody: EMPTY_TWIML });
      const webhook = receiver.received.find((entry) => entry.params.MessageSid === delivery.messageSid);
      expect(webhook?.signatureValid).toBe(true);
      expect(webhook?.params).toMatchObject({
        MessageSid: expect.stringMatching(/^MM[0-9a-f]{32}$/),
        SmsMessageSid: delivery.messageSid,
        SmsSid: delivery.messageSid,
        AccountSid: ACCOUNT.accountSid,
        From: 'whatsapp:+16505551234',
        To: `whatsapp:${BUSINESS}`,
        Body: 'see attached',
        NumMedia: '1',
        NumSegments: '1',
        ProfileName: 'Alice',
        WaId: '16505551234',
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
        MediaContentType0: 'image/png',
        MessageType: 'image',
      });
      expect(webhook?.downloadedMedia?.status).toBe(200);
      expect(webhook?.downloadedMedia?.contentType).toBe('image/png');
      expect(webhook?.downloadedMedia?.bytes.equals(PNG_BYTES)).toBe(true);

      const anonymous = await fetch(webhook?.params.MediaUrl0 as string);
      expect(anonymous.status).toBe(401);
    });

    it('posts quick-reply buttons and plain SMS without WhatsApp fields', async () => {
      const button = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: BUSINESS, body: 'Yes', buttonText: 'Yes', buttonPayload: 'confirm' });
      expect(button.params).toMatchObject({ ButtonText: 'Yes', ButtonPayload: 'confirm', MessageType: 'button', MessageSid: expect.stringMatching(/^SM/) });
      const sms = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: '+15017122661', channel: 'sms', body: 'STOP' });
      expect(sms.params).toMatchObject({ From: '+16505551234', To: '+15017122661', Body: 'STOP', NumMedia: '0' });
      expect(sms.params.WaId).toBeUndefined();
      expect([button.statusCode, sms.statusCode]).toEqual([200, 200]);
    });

    it('lets tests send a wrong signature and records the rejection', async () => {
      const delivery = await sim.emitInbound(receiver.url('/twilio/inbound'), { from: '+16505551234', to: BUSINESS, body: 'forged', signatureOverride: 'bm90IGEgc2lnbmF0dXJl' });
      expect(delivery).toMatchObject({ statusCode: 403, signature: 'bm90IGEgc2lnbmF0dXJl', responseBody: 'invalid signature' });
    });

    it('records a network failure instead of throwing', async () => {
      const delivery = await sim.emitInbound('http://127.0.0.1:1/unreachable', { from: '+16505551234', to: BUSINESS, body: 'lost' });
      expect(delivery.statusCode).toBe(0);
      expect(delivery.error).toBeDefined();
    });
  });

  describe('Content API and ContentSid sends', () => {
    let contentSims: TwilioSimulator;
    const contentAuth = { authorization: basicAuth(ACCOUNT) };

    beforeAll(async () => {
      contentSims = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 5 });
    });
    afterAll(() => contentSims.stop());

    it('pages /v1/Content with PageSize and PageToken', async () => {
      const sids = ['one', 'two', 'three'].map((name) =>
        contentSims.addContent({ friendlyName: name, language: 'en', variables: { '1': 'name' }, types: { 'twilio/text': { body: `${name} {{1}}` } } }),
      );
      const first = await fetch(`${contentSims.baseUrl}/v1/Content?PageSize=2`, { headers: contentAuth });
      expect(first.status).toBe(200);
      const firstPage = (await first.json()) as { contents: Array<Record<string, unknown>>; meta: Record<string, unknown> };
      expect(firstPage.contents.map((content) => content.sid)).toEqual(sids.slice(0, 2));
      expect(firstPage.contents[0]).toMatchObject({
        friendly_name: 'one',
        language: 'en',
        variables: { '1': 'name' },
        types: { 'twilio/text': { body: 'one {{1}}' } },
        url: `${contentSims.baseUrl}/v1/Content/${sids[0]}`,
        date_created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        date_updated: expect.any(String),
      });
      expect(firstPage.meta).toMatchObject({ page: 0, page_size: 2, key: 'contents', previous_page_url: null });
      expect(firstPage.meta.next_page_url).toEqual(expect.stringContaining('PageToken='));

      const second = await fetch(firstPage.meta.next_page_url as string, { headers: contentAuth });
      const secondPage = (await second.json()) as { contents: Array<Record<string, unknown>>; meta: Record<string, unknown> };
      expect(secondPage.contents.map((content) => content.sid)).toEqual(sids.slice(2));
      expect(secondPage.meta).toMatchObject({ page: 1, next_page_url: null, previous_page_url: expect.stringContaining('Page=0') });

      const unauthorized = await fetch(`${contentSims.baseUrl}/v1/Content`);
      expect(unauthorized.status).toBe(401);
    });

    it('reports WhatsApp approvals in /v1/ContentAndApprovals flat, and nested under whatsapp on ApprovalRequests, as Twilio publishes them', async () => {
      const sid = contentSims.addContent({
        friendlyName: 'order_update',
        language: 'en',
        types: { 'twilio/text': { body: 'Order {{1}} shipped' } },
        approval: { status: 'pending', category: 'UTILITY' },
      });
      const approvalOf = async () => {
        const response = await fetch(`${contentSims.baseUrl}/v1/ContentAndApprovals?PageSize=50`, { headers: contentAuth });
        const page = (await response.json()) as { contents: Array<{ sid: string; approval_requests: Record<string, unknown> }> };
        return page.contents.find((content) => content.sid === sid)?.approval_requests;
      };
      const published = vendorJson<{ contents: Array<{ approval_requests: Record<string, unknown> }> }>('twilio_content_and_approvals_list.json');
      const listed = await approvalOf();
      expect(Object.keys(listed ?? {}).sort()).toEqual(Object.keys(published.contents[1]?.approval_requests ?? {}).sort());
      expect(listed).toMatchObject({ status: 'pending', category: 'UTILITY', name: 'order_update', content_type: 'twilio/text', rejection_reason: '' });
      contentSims.setContentApproval(sid, 'approved');
      expect(await approvalOf()).toMatchObject({ status: 'approved' });

      const fetched = (await (await fetch(`${contentSims.baseUrl}/v1/Content/${sid}/ApprovalRequests`, { headers: contentAuth })).json()) as Record<string, Record<string, unknown>>;
      const publishedFetch = vendorJson<Record<string, Record<string, unknown>>>('twilio_content_approval_fetch.json');
      expect(Object.keys(fetched).sort()).toEqual(Object.keys(publishedFetch).sort());
      expect(Object.keys(fetched.whatsapp ?? {}).sort()).toEqual(expect.arrayContaining(Object.keys(publishedFetch.whatsapp ?? {}).sort()));
      expect(fetched.whatsapp).toMatchObject({ type: 'whatsapp', status: 'approved', name: 'order_update' });
    });

    it('renders a ContentSid send with ContentVariables and delivers it', async () => {
      const sid = contentSims.addContent({
        friendlyName: 'greeting',
        language: 'en',
        variables: { '1': 'there', '2': 'today' },
        types: { 'twilio/text': { body: 'Hi {{1}}, see you {{2}}' } },
        approval: { status: 'approved', category: 'UTILITY' },
      });
      const response = await fetch(`${contentSims.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { ...contentAuth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: 'whatsapp:+16505557777',
          MessagingServiceSid: 'MG' + 'b'.repeat(32),
          ContentSid: sid,
          ContentVariables: JSON.stringify({ '1': 'Alice' }),
          StatusCallback: receiver.url('/twilio/status'),
        }),
      });
      const created = (await response.json()) as { sid: string; body: string; status: string };
      expect(response.status).toBe(201);
      expect(created).toMatchObject({ body: 'Hi Alice, see you today', status: 'accepted' });
      expect(contentSims.messages.at(-1)).toMatchObject({ contentSid: sid, contentVariables: { '1': 'Alice' } });
      await waitFor(() => callbacksFor(created.sid).length === 2);
      expect(callbacksFor(created.sid).map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
      expect(callbacksFor(created.sid)[1]?.params.MessagingServiceSid).toBe('MG' + 'b'.repeat(32));
    });

    it.each([
      ['rejected', 'failed', '63040'],
      ['pending', 'undelivered', '63016'],
    ] as const)('fails a WhatsApp send of a %s template asynchronously', async (approval, status, errorCode) => {
      const sid = contentSims.addContent({ friendlyName: `t_${approval}`, language: 'en', types: { 'twilio/text': { body: 'x' } }, approval: { status: approval } });
      const response = await fetch(`${contentSims.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { ...contentAuth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: 'whatsapp:+16505558888', From: `whatsapp:${BUSINESS}`, ContentSid: sid, StatusCallback: receiver.url('/twilio/status') }),
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { sid: string };
      await waitFor(() => callbacksFor(created.sid).length === 1);
      expect(callbacksFor(created.sid)[0]?.params).toMatchObject({ MessageStatus: status, ErrorCode: errorCode });
    });
  });
});
