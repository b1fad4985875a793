import { DEFAULT_OPT_IN_CONFIRMATION, DEFAULT_OPT_OUT_CONFIRMATION } from '../../src/domain/locationSettings';
import { HighLevelDeliveryCaller, type InboundSpec } from '@ghl-whatsapp/simulators';
import { consentHistory } from '../../src/store/consent';
import { findLedgerEntry } from '../../src/store/ledger';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { inboundOutcome, inboundWamid } from '../support/inbound';
import { waitFor } from '../support/waitFor';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const newPhone = () => `+1586471${String(1000 + ++counter).padStart(4, '0')}`;

async function emit(spec: InboundSpec, location: TestLocation = h.location) {
  const delivery = await h.meta.emitInbound({ phoneNumberId: location.phoneNumberId, ...spec });
  expect(delivery.statusCode).toBe(200);
  return inboundWamid(delivery);
}
const outcomeOf = (wamid: string) => inboundOutcome(h, wamid);
const contactOf = (phone: string) => [...h.highLevel.contacts.values()].find((contact) => contact.phone === phone);
const textsTo = (phone: string) => h.meta.sentMessages.filter((message) => message.to === phone).map((message) => (message.payload.text as { body?: string } | undefined)?.body);

/** HighLevel posts an SMS for the contact to the Delivery URL; resolves with the workflow's outcome. */
async function sendFromHighLevel(phone: string, location: TestLocation = h.location) {
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: location.id, contactId: contactOf(phone)?.id, phone, attachments: [], message: 'Your appointment is tomorrow at 10' });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  const workflowId = deliverWorkflowId(location.id, payload.messageId);
  return { result: await deliveryOutcome(h.temporal, workflowId), payload, workflowId };
}

describe('STOP and START', () => {
  it('STOP sets WhatsApp DND in HighLevel within a second, blocks the next outbound, and START restores sending', async () => {
    const phone = newPhone();
    await outcomeOf(await emit({ from: phone, profileName: 'Pat', type: 'text', text: 'Hi' }));

    const stop = await emit({ from: phone, type: 'text', text: 'Stop' });
    await waitFor(() => contactOf(phone)?.dndSettings.WhatsApp?.status === 'active', { what: 'WhatsApp DND in HighLevel' });
    await waitFor(() => contactOf(phone)?.tags.includes('whatsapp-opted-out'), { what: 'the opt-out tag' });
    expect(await outcomeOf(stop)).toMatchObject({ status: 'delivered', keyword: 'opt_out', confirmation: 'sent' });
    // The STOP itself still reaches the conversation, and the contact gets one short confirmation.
    expect(h.highLevel.inboundMessages.filter((message) => message.altId === stop).map((message) => message.message)).toEqual(['Stop']);
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION]);
    expect(await consentHistory(h.db, h.location.id, phone)).toEqual([
      expect.objectContaining({ status: 'opted_out', source: 'keyword', evidence: `WhatsApp message ${stop} was the keyword "STOP"` }),
    ]);

    const blocked = await sendFromHighLevel(phone);
    expect(blocked.result).toMatchObject({ status: 'failed', reason: 'contact opted out of WhatsApp' });
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION]);
    expect(h.highLevel.statusUpdates.filter((update) => update.messageId === blocked.payload.messageId)).toEqual([
      expect.objectContaining({ status: 'failed', error: { code: 'opted_out', type: 'saas', message: 'contact opted out of WhatsApp' } }),
    ]);
    expect(await findLedgerEntry(h.db, blocked.workflowId)).toMatchObject({ status: 'failed', status_reason: 'contact opted out of WhatsApp', error_code: 'opted_out' });

    const start = await emit({ from: phone, type: 'text', text: 'START' });
    expect(await outcomeOf(start)).toMatchObject({ status: 'delivered', keyword: 'opt_in', confirmation: 'sent' });
    const restored = contactOf(phone);
    expect(restored?.dndSettings.WhatsApp?.status).toBe('inactive');
    expect(restored?.tags).not.toContain('whatsapp-opted-out');
    expect((await consentHistory(h.db, h.location.id, phone)).map((entry) => [entry.status, entry.source])).toEqual([
      ['opted_out', 'keyword'],
      ['opted_in', 'keyword'],
    ]);

    const sent = await sendFromHighLevel(phone);
    expect(sent.result).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION, DEFAULT_OPT_IN_CONFIRMATION, 'Your appointment is tomorrow at 10']);
  });

  it('understands other languages and a template quick-reply button', async () => {
    const spanish = newPhone();
    const button = newPhone();
    const wamids = [await emit({ from: spanish, type: 'text', text: '¡Baja!' }), await emit({ from: button, type: 'button', button: { payload: 'UNSUB', text: 'Unsubscribe' } })];
    expect(await Promise.all(wamids.map(outcomeOf))).toEqual([expect.objectContaining({ keyword: 'opt_out' }), expect.objectContaining({ keyword: 'opt_out' })]);
    for (const phone of [spanish, button]) {
      expect(contactOf(phone)?.dndSettings.WhatsApp?.status).toBe('active');
      expect((await consentHistory(h.db, h.location.id, phone)).at(-1)).toMatchObject({ status: 'opted_out', source: 'keyword' });
    }
  });

  it('leaves ordinary messages that merely contain a keyword alone', async () => {
    const phone = newPhone();
    const wamid = await emit({ from: phone, type: 'text', text: "Please don't stop the reminders" });
    expect((await outcomeOf(wamid)).keyword).toBeUndefined();
    expect(contactOf(phone)?.dndSettings.WhatsApp).toBeUndefined();
    expect(await consentHistory(h.db, h.location.id, phone)).toEqual([]);
  });

  it('takes a "Yes" answer as an opt-in without touching HighLevel or replying, unless it undoes an opt-out', async () => {
    const phone = newPhone();
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone, dndSettings: { WhatsApp: { status: 'active', message: 'set by staff' } } });
    const wamid = await emit({ from: phone, type: 'text', text: 'Yes' });
    expect(await outcomeOf(wamid)).toMatchObject({ status: 'delivered', keyword: 'opt_in' });
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings.WhatsApp).toMatchObject({ status: 'active', message: 'set by staff' });
    expect(textsTo(phone)).toEqual([]);
    expect(await consentHistory(h.db, h.location.id, phone)).toEqual([expect.objectContaining({ status: 'opted_in', source: 'keyword' })]);
  });

  it("uses the location's own keywords, tag and confirmation setting", async () => {
    const custom = await h.addLocation({ optOutKeywords: ['basta ya'], optOutTag: 'no-whatsapp', optOutConfirmation: '' });
    const phone = newPhone();
    const wamid = await emit({ from: phone, type: 'text', text: 'Basta ya' }, custom);
    expect(await outcomeOf(wamid)).toMatchObject({ keyword: 'opt_out' });
    expect(contactOf(phone)).toMatchObject({ dndSettings: { WhatsApp: expect.objectContaining({ status: 'active' }) }, tags: ['no-whatsapp'] });
    expect(textsTo(phone)).toEqual([]);
  });

  it('sends no confirmation for a STOP that arrives after the 24-hour window, but still honours it', async () => {
    const phone = newPhone();
    const wamid = await emit({ from: phone, type: 'text', text: 'STOP', timestamp: Math.floor(Date.now() / 1000) - 25 * 3600 });
    expect(await outcomeOf(wamid)).toMatchObject({ keyword: 'opt_out', confirmation: 'not sent: outside the 24-hour window' });
    expect(textsTo(phone)).toEqual([]);
    expect((await consentHistory(h.db, h.location.id, phone)).at(-1)).toMatchObject({ status: 'opted_out' });
  });

  it('can count a contact writing first as a WhatsApp opt-in, where the location says so', async () => {
    const location = await h.addLocation({ treatInboundAsOptIn: true });
    const phone = newPhone();
    await outcomeOf(await emit({ from: phone, type: 'text', text: 'Hello, I would like updates' }, location));
    await outcomeOf(await emit({ from: phone, type: 'text', text: 'Thanks' }, location));
    expect(await consentHistory(h.db, location.id, phone)).toEqual([expect.objectContaining({ status: 'opted_in', source: 'inbound_conversation' })]);
  });
});
