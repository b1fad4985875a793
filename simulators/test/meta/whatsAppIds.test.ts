import { receivedWebhooks, send, simulator, startSimulator, statusesOf, textMessage, useMetaSimulator, waitFor, type Json } from './support';

/** Meta simulator contract: wa_id "may not match" the number sent to (whatsapp.md A.1), and webhooks carry the wa_id. */

useMetaSimulator();

const MX = '+525512345678';
const MX_WA_ID = '5215512345678';
const BR = '+5511987654321';
const BR_WA_ID = '551187654321';

const messagesOf = (payloads: ReturnType<typeof receivedWebhooks>) =>
  payloads.flatMap((w) => w.payload.entry.flatMap((e) => e.changes.flatMap((c) => ({ contacts: c.value.contacts ?? [], messages: c.value.messages ?? [] }))));

describe('WhatsApp ids that differ from the number', () => {
  it('answers a Mexican +52 number with the 521 wa_id, and its statuses name that wa_id', async () => {
    await startSimulator();
    const result = await send(textMessage({ to: MX }));
    expect(result.status).toBe(200);
    expect(result.body.contacts).toEqual([{ input: MX, wa_id: MX_WA_ID }]);
    expect(simulator.sentMessages.at(-1)).toMatchObject({ to: MX, waId: MX_WA_ID });
    await simulator.receiptsSettled();
    const statuses = statusesOf(receivedWebhooks());
    expect(statuses.map((status) => status.status)).toEqual(['sent', 'delivered']);
    expect(new Set(statuses.map((status) => status.recipient_id))).toEqual(new Set([MX_WA_ID]));
  });

  it('answers a configured Brazilian number with its wa_id without the ninth digit (option or /_sim/wa-ids)', async () => {
    // No webhook URL: these sends need no receipts, and none can reach the next test's receiver late.
    await startSimulator({ webhookUrl: undefined, whatsAppIds: { [BR]: BR_WA_ID } });
    expect((await send(textMessage({ to: BR }))).body.contacts).toEqual([{ input: BR, wa_id: BR_WA_ID }]);
    // Another number registered over the control plane; a number never registered keeps its digits.
    const other = '+5521976543210';
    const registered = await fetch(`${simulator.origin}/_sim/wa-ids`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: other, waId: '552176543210' }) });
    expect(registered.status).toBe(200);
    expect((await send(textMessage({ to: other }))).body.contacts).toEqual([{ input: other, wa_id: '552176543210' }]);
    expect((await send(textMessage({ to: '+5531987654321' }))).body.contacts).toEqual([{ input: '+5531987654321', wa_id: '5531987654321' }]);
    const refused = await fetch(`${simulator.origin}/_sim/wa-ids`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: other }) });
    expect(refused.status).toBe(400);
  });

  it('sends the messages of such a user from their wa_id, in `from` and contacts[].wa_id', async () => {
    await startSimulator({ whatsAppIds: { [BR]: BR_WA_ID } });
    await simulator.emitInbound({ type: 'text', from: MX, profileName: 'Lupita', text: 'Hola' });
    await simulator.emitInbound({ type: 'text', from: BR, profileName: 'João', text: 'Oi' });
    // A test may also write the wa_id itself.
    await simulator.emitInbound({ type: 'text', from: MX_WA_ID, text: 'otra vez' });
    const inbound = () => messagesOf(receivedWebhooks()).filter((change) => change.messages.length > 0);
    await waitFor(() => inbound().length === 3, { what: 'three inbound webhooks' });
    const changes = inbound();
    expect(changes.map((change) => (change.messages[0] as Json).from)).toEqual([MX_WA_ID, BR_WA_ID, MX_WA_ID]);
    expect(changes.map((change) => change.contacts[0]?.wa_id)).toEqual([MX_WA_ID, BR_WA_ID, MX_WA_ID]);
  });

  it('keeps ordinary numbers as their digits', async () => {
    await startSimulator({ webhookUrl: undefined });
    expect((await send(textMessage({ to: '+15864603685' }))).body.contacts).toEqual([{ input: '+15864603685', wa_id: '15864603685' }]);
  });
});
