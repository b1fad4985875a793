import {
  ACCOUNT,
  OTHER_ACCOUNT,
  USER,
  USER_DIGITS,
  expectGraphError,
  receivedWebhooks,
  send,
  simulator,
  startSimulator,
  textMessage,
  useMetaSimulator,
  type Json,
} from './support';

/** Meta simulator contract tests: the send API (text, validation, auth), injected faults and mark-as-read. */

useMetaSimulator();

describe('sending', () => {
  it('accepts a text message with Meta\'s success shape and records it', async () => {
    await startSimulator();
    const result = await send(textMessage());
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: USER, wa_id: USER_DIGITS }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/) }],
    });
    const wamid = result.body.messages[0].id as string;
    expect(simulator.sentMessages).toEqual([
      { wamid, phoneNumberId: ACCOUNT.phoneNumberId, to: USER, waId: USER_DIGITS, type: 'text', payload: textMessage(), at: expect.any(Number) },
    ]);
    expect(simulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v23.0/${ACCOUNT.phoneNumberId}/messages`]);

    const second = await send(textMessage());
    expect(second.body.messages[0].id).not.toBe(wamid);

    const control = (await (await fetch(`${simulator.origin}/_sim/messages`)).json()) as Json[];
    expect(control.map((m) => m.wamid)).toEqual([wamid, second.body.messages[0].id]);
    expect(simulator.requests).toHaveLength(2); // /_sim is not recorded
  });

  it('rejects a wrong or foreign token with 401 (#190) and an unknown number with 400 (#100)', async () => {
    await startSimulator();
    const wrong = await send(textMessage(), { token: 'not-a-token' });
    expectGraphError(wrong, 401, 190);
    expectGraphError(await send(textMessage(), { token: null }), 401, 190);
    // A registered token that belongs to another business number is not enough.
    expectGraphError(await send(textMessage(), { token: OTHER_ACCOUNT.accessToken }), 401, 190);
    const unknown = await send(textMessage(), { phoneNumberId: '999999999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe(100);
    expect(simulator.sentMessages).toHaveLength(0);
    // The other account's own token works on its own number.
    expect((await send(textMessage(), { token: OTHER_ACCOUNT.accessToken, phoneNumberId: OTHER_ACCOUNT.phoneNumberId })).status).toBe(200);
  });

  it('validates requests like Meta', async () => {
    await startSimulator();
    const { to: _to, ...withoutTo } = textMessage();
    const missingTo = await send(withoutTo);
    expectGraphError(missingTo, 400, 131008);
    expect(missingTo.body.error.error_data).toEqual({ messaging_product: 'whatsapp', details: 'The parameter to is required.' });

    const tooLong = await send(textMessage({ text: { body: 'x'.repeat(4097) } }));
    expectGraphError(tooLong, 400, 100);
    expect(tooLong.body.error.error_data.details).toContain('4096');
    expect((await send(textMessage({ text: { body: 'é'.repeat(4096) } }))).status).toBe(200);

    const bothIdAndLink = await send({ messaging_product: 'whatsapp', to: USER, type: 'image', image: { id: '123', link: 'https://example.com/a.jpg' } });
    expectGraphError(bothIdAndLink, 400, 131009);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'image', image: {} }), 400, 131009);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'audio', audio: { id: '1', caption: 'no' } }), 400, 100);
    expectGraphError(await send({ messaging_product: 'whatsapp', to: USER, type: 'video', video: { id: '1', caption: 'c'.repeat(1025) } }), 400, 100);
    expectGraphError(await send(textMessage({ messaging_product: 'sms' })), 400, 100);
    expectGraphError(await send(textMessage({ type: 'carrier_pigeon' })), 400, 131051);

    const buttons = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ type: 'reply', reply: { id: `b${i}`, title: `Option ${i}` } }));
    const interactive = (count: number) => ({
      messaging_product: 'whatsapp',
      to: USER,
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Pick one' }, action: { buttons: buttons(count) } },
    });
    expectGraphError(await send(interactive(4)), 400, 131009);
    expect((await send(interactive(3))).status).toBe(200);
    expect(simulator.sentMessages.map((m) => m.type)).toEqual(['text', 'interactive']);
  });
});

describe('faults', () => {
  it('fails the next N sends with the given error, then succeeds', async () => {
    await startSimulator({ webhookUrl: undefined });
    simulator.failNextSends(2, { httpStatus: 500, code: 131000, details: 'Something broke', isTransient: true });
    // Mark-as-read is not a send and does not use up a fault.
    expect((await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' })).status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const failed = await send(textMessage());
      expectGraphError(failed, 500, 131000);
      expect(failed.body.error).toMatchObject({ is_transient: true, error_data: { messaging_product: 'whatsapp', details: 'Something broke' } });
    }
    expect((await send(textMessage())).status).toBe(200);
    expect(simulator.sentMessages).toHaveLength(1);
  });

  it('adds latency to API requests but not to /_sim, and is controllable over /_sim/faults', async () => {
    await startSimulator({ webhookUrl: undefined });
    const response = await fetch(`${simulator.origin}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 150, failNextSends: { count: 1, error: { httpStatus: 429, code: 130429 } } }),
    });
    expect(response.status).toBe(200);
    const started = Date.now();
    const limited = await send(textMessage());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expectGraphError(limited, 429, 130429);
    expect(limited.body.error.message).toBe('(#130429) Rate limit hit');
    expect((await fetch(`${simulator.origin}/_sim/messages`)).status).toBe(200);
  });
});

describe('mark as read', () => {
  it('answers { success: true }, records it and sends no receipt', async () => {
    await startSimulator();
    const result = await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.incoming', typing_indicator: { type: 'text' } });
    expect(result).toEqual({ status: 200, body: { success: true } });
    expect(simulator.markedAsRead).toEqual([
      { phoneNumberId: ACCOUNT.phoneNumberId, messageId: 'wamid.incoming', typingIndicator: { type: 'text' }, at: expect.any(Number) },
    ]);
    expectGraphError(await send({ messaging_product: 'whatsapp', status: 'read' }), 400, 131008);
    await simulator.receiptsSettled();
    expect(simulator.sentMessages).toHaveLength(0);
    expect(receivedWebhooks()).toHaveLength(0);
  });
});
