import { verifyTwilioSignature } from '../../../src/providers/twilio/signature';
import { TwilioSimulator } from '@ghl-whatsapp/simulators';
import { ACCOUNT, BUSINESS, OTHER_ACCOUNT, PNG_BYTES, basicAuth, callbacksFor, createMessage, receiver, sim, useTwilioSimulator, waitFor } from './support';

/** Twilio simulator contract tests: signed status callbacks and the /_sim control routes. */

describe('TwilioSimulator', () => {
  useTwilioSimulator();

  describe('status callbacks', () => {
    it('sends signed sent → delivered callbacks to the exact StatusCallback URL and updates the resource', async () => {
      const { json } = await createMessage({
        To: 'whatsapp:+16505551234',
        From: `whatsapp:${BUSINESS}`,
        Body: 'Hello',
        StatusCallback: receiver.url('/twilio/status?tenant=acme'),
      });
      const sid = json.sid as string;
      await waitFor(() => callbacksFor(sid).length === 2);
      const [sent, delivered] = callbacksFor(sid);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid && webhook.path === '/twilio/status?tenant=acme')).toBe(true);
      expect(sent?.params).toMatchObject({ MessageSid: sid, SmsSid: sid, MessageStatus: 'sent', SmsStatus: 'sent', ChannelPrefix: 'whatsapp' });
      expect(delivered?.params).toMatchObject({
        MessageStatus: 'delivered',
        EventType: 'DELIVERED',
        To: 'whatsapp:+16505551234',
        From: `whatsapp:${BUSINESS}`,
        ChannelToAddress: '+16505551234',
        AccountSid: ACCOUNT.accountSid,
        ApiVersion: '2010-04-01',
      });
      expect(delivered?.params.ErrorCode).toBeUndefined();
      await waitFor(() => sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).length === 2);
      expect(sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).map((delivery) => delivery.statusCode)).toEqual([204, 204]);

      const fetched = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${sid}.json`, { headers: { authorization: basicAuth(ACCOUNT) } });
      expect(await fetched.json()).toMatchObject({ sid, status: 'delivered', error_code: null, date_sent: expect.stringMatching(/\+0000$/) });
    });

    it('sends no callbacks without a StatusCallback but still progresses the status', async () => {
      const { json } = await createMessage({ To: '+16505551299', From: '+15017122661', Body: 'quiet' });
      await waitFor(() => sim.messages.find((message) => message.sid === json.sid)?.status === 'delivered');
      expect(sim.callbackDeliveries.some((delivery) => delivery.messageSid === json.sid)).toBe(false);
    });

    it('plays scripted steps: undelivered with 63016', async () => {
      sim.scriptCallbacks('+16505550001', [{ status: 'sent' }, { status: 'undelivered', errorCode: 63016 }]);
      const { json } = await createMessage({ To: 'whatsapp:+16505550001', From: `whatsapp:${BUSINESS}`, Body: 'late', StatusCallback: receiver.url('/twilio/status') });
      const sid = json.sid as string;
      await waitFor(() => callbacksFor(sid).length === 2);
      expect(callbacksFor(sid).map((webhook) => [webhook.params.MessageStatus, webhook.params.ErrorCode])).toEqual([
        ['sent', undefined],
        ['undelivered', '63016'],
      ]);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid)).toBe(true);
      expect(sim.messages.find((message) => message.sid === sid)).toMatchObject({ status: 'undelivered', errorCode: 63016 });

      // The script was consumed: the next message to the same number gets the automatic progression.
      const next = await createMessage({ To: 'whatsapp:+16505550001', From: `whatsapp:${BUSINESS}`, Body: 'again', StatusCallback: receiver.url('/twilio/status') });
      await waitFor(() => callbacksFor(next.json.sid as string).length === 2);
      expect(callbacksFor(next.json.sid as string).map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
    });

    it('withholds all callbacks for an empty script', async () => {
      sim.scriptCallbacks('whatsapp:+16505550002', []);
      const { json } = await createMessage({ To: 'whatsapp:+16505550002', From: `whatsapp:${BUSINESS}`, Body: 'void', StatusCallback: receiver.url('/twilio/status') });
      await sim.callbacksSettled();
      expect(callbacksFor(json.sid as string)).toHaveLength(0);
      expect(sim.messages.find((message) => message.sid === json.sid)?.status).toBe('queued');
    });

    it('duplicates a callback when asked, with identical params and signature', async () => {
      sim.scriptCallbacks('+16505550003', [{ status: 'sent', delayMs: 5 }, { status: 'delivered', duplicate: true }]);
      const { json } = await createMessage({ To: '+16505550003', From: '+15017122661', Body: 'dup', StatusCallback: receiver.url('/twilio/status') });
      const sid = json.sid as string;
      await waitFor(() => sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid).length === 3);
      const deliveries = sim.callbackDeliveries.filter((delivery) => delivery.messageSid === sid);
      expect(deliveries.map((delivery) => delivery.params.MessageStatus)).toEqual(['sent', 'delivered', 'delivered']);
      expect(deliveries[2]?.params).toEqual(deliveries[1]?.params);
      expect(deliveries[2]?.signature).toBe(deliveries[1]?.signature);
      expect(callbacksFor(sid).every((webhook) => webhook.signatureValid && webhook.params.ChannelPrefix === undefined)).toBe(true);
    });

    it('emits a status callback on demand, signed with the owning account token', async () => {
      sim.scriptCallbacks('+16505550004', []);
      const { json } = await createMessage(
        { To: '+16505550004', From: '+15017122661', Body: 'manual', StatusCallback: receiver.url('/twilio/status') },
        OTHER_ACCOUNT,
      );
      const delivery = await sim.emitStatusCallback(json.sid as string, 'failed', { errorCode: 30007 });
      expect(delivery).toMatchObject({ statusCode: 204, params: { MessageStatus: 'failed', ErrorCode: '30007', AccountSid: OTHER_ACCOUNT.accountSid } });
      expect(verifyTwilioSignature(OTHER_ACCOUNT.authToken, delivery.signature, delivery.url, delivery.params)).toBe(true);
      expect(callbacksFor(json.sid as string).at(-1)?.signatureValid).toBe(true);
    });

    it('adds read for WhatsApp when autoRead is on', async () => {
      const readingSim = await TwilioSimulator.start({ accounts: [ACCOUNT], callbackDelayMs: 5, autoRead: true });
      try {
        const response = await fetch(`${readingSim.baseUrl}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`, {
          method: 'POST',
          headers: { authorization: basicAuth(ACCOUNT), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ To: 'whatsapp:+16505550005', From: `whatsapp:${BUSINESS}`, Body: 'read me', StatusCallback: receiver.url('/twilio/status') }),
        });
        const sid = ((await response.json()) as { sid: string }).sid;
        await waitFor(() => callbacksFor(sid).length === 3);
        expect(callbacksFor(sid).map((webhook) => [webhook.params.MessageStatus, webhook.params.EventType])).toEqual([
          ['sent', undefined],
          ['delivered', 'DELIVERED'],
          ['read', 'READ'],
        ]);
      } finally {
        await readingSim.stop();
      }
    });
  });

  describe('/_sim control routes', () => {
    it('injects faults, emits inbound and callbacks, and lists messages', async () => {
      const faults = await fetch(`${sim.baseUrl}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failNextCreates: { count: 1, httpStatus: 500, code: 20500 } }),
      });
      expect(faults.status).toBe(200);
      expect((await createMessage({ To: '+16505550010', From: '+15017122661', Body: 'x' })).status).toBe(500);

      sim.scriptCallbacks('+16505550011', []);
      const { json } = await createMessage({ To: '+16505550011', From: '+15017122661', Body: 'x', StatusCallback: receiver.url('/twilio/status') });
      const callback = await fetch(`${sim.baseUrl}/_sim/callbacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageSid: json.sid, status: 'undelivered', errorCode: 30003 }),
      });
      expect(await callback.json()).toMatchObject({ statusCode: 204, params: { MessageStatus: 'undelivered', ErrorCode: '30003' } });

      const inbound = await fetch(`${sim.baseUrl}/_sim/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url('/twilio/inbound'), from: '+16505550012', to: BUSINESS, media: [{ contentType: 'image/png', base64: PNG_BYTES.toString('base64') }] }),
      });
      const inboundDelivery = (await inbound.json()) as { messageSid: string; statusCode: number };
      expect(inboundDelivery.statusCode).toBe(200);
      expect(receiver.received.find((entry) => entry.params.MessageSid === inboundDelivery.messageSid)?.downloadedMedia?.bytes.equals(PNG_BYTES)).toBe(true);

      const listed = (await (await fetch(`${sim.baseUrl}/_sim/messages`)).json()) as Array<{ sid: string; status: string; errorCode?: number }>;
      expect(listed.find((message) => message.sid === json.sid)).toMatchObject({ status: 'undelivered', errorCode: 30003 });

      const invalid = await fetch(`${sim.baseUrl}/_sim/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(invalid.status).toBe(400);
    });
  });
});
