import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { consentHistory, currentConsent } from '../../src/store/consent';
import type { InboundOutcome } from '../../workflows/receiveInbound';
import { deliverWorkflowId } from '../../workflows/shared';
import { BACKENDS, driverFor, syncTemplates, type BackendDriver, type EmittedInbound } from '../support/backends';
import { deliveryOutcome } from '../support/expectations';
import { startHarness, type Harness } from '../support/harness';
import { templateDefinitions } from '../support/templateCases';

/**
 * WhatsApp ids that are not the number HighLevel holds (issue 13): Mexican senders write from `521…` while the
 * contact is `+52…`; Brazilian accounts older than the ninth digit write without it. Window, STOP and contact
 * are one person either way, over both back ends.
 */

const CASES = [
  { country: 'Mexican', number: '+525512345678', writesFrom: '+5215512345678' },
  { country: 'Brazilian', number: '+5511987654321', writesFrom: '+551187654321' },
];

describe.each(BACKENDS)('WhatsApp ids that differ from the number, over the %s back end', (backend) => {
  let h: Harness;
  let provider: BackendDriver;
  beforeAll(async () => {
    h = await startHarness({ backend });
    provider = driverFor(h, backend);
    // Meta answers sends to this Brazilian number with its old id; Mexico's 521 is the simulator's default.
    h.meta.setWhatsAppId(CASES[1]!.number, CASES[1]!.writesFrom);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const outcomeOf = (inbound: EmittedInbound): Promise<InboundOutcome> => h.temporal.workflow.getHandle(inbound.workflowId).result();
  const contactsWithPhone = (phone: string) => [...h.highLevel.contacts.values()].filter((contact) => contact.phone === phone);
  async function emit(from: string, text: string): Promise<EmittedInbound> {
    const inbound = await provider.emitInbound({ from, text, profileName: 'Lupita' });
    expect(inbound.statusCode).toBe(200);
    return inbound;
  }
  async function sendFromHighLevel(phone: string, contactId: string, message: string) {
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, contactId, phone, attachments: [], message });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    return deliveryOutcome(h.temporal, deliverWorkflowId(h.location.id, payload.messageId));
  }

  it.each(CASES)('a $country contact who writes from their WhatsApp id opens the window for, and opts out, the number HighLevel holds', async ({ number, writesFrom }) => {
    const contact = h.highLevel.seedContact({ locationId: h.location.id, phone: number, name: 'Lupita' });

    const hello = await emit(writesFrom, 'Hola, ¿sigue mi cita?');
    expect(await outcomeOf(hello)).toMatchObject({ status: 'delivered', contactId: contact.id });
    // Threaded into the contact HighLevel already had: no second contact under the WhatsApp id.
    expect(h.highLevel.inboundMessages.filter((message) => message.altId === hello.providerMessageId).map((message) => message.contactId)).toEqual([contact.id]);
    expect(contactsWithPhone(writesFrom)).toEqual([]);
    expect(contactsWithPhone(number).map((found) => found.id)).toEqual([contact.id]);

    // The window is open for the number HighLevel sends to, so the reply goes as free text.
    expect(await sendFromHighLevel(number, contact.id, 'Sí, mañana a las 10')).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(provider.sentTo(number).map((sent) => [sent.kind, sent.body])).toEqual([['text', 'Sí, mañana a las 10']]);

    const stop = await emit(writesFrom, 'STOP');
    expect(await outcomeOf(stop)).toMatchObject({ status: 'delivered', keyword: 'opt_out', contactId: contact.id });
    expect(await currentConsent(h.db, h.location.id, number)).toBe('opted_out');
    expect((await consentHistory(h.db, h.location.id, number)).map((entry) => entry.status)).toEqual(['opted_out']);
    expect(h.highLevel.contacts.get(contact.id)?.dndSettings.WhatsApp?.status).toBe('active');

    const before = provider.sentTo(number).length;
    expect(await sendFromHighLevel(number, contact.id, 'Recordatorio: su cita es mañana')).toMatchObject({ status: 'failed', reason: 'contact opted out of WhatsApp' });
    expect(provider.sentTo(number)).toHaveLength(before);
    expect(contactsWithPhone(writesFrom)).toEqual([]);
  });

  if (backend === 'cloud') {
    it('learns a WhatsApp id from the send response when no rule knows it, and threads that id into the same contact', async () => {
      // Argentina: HighLevel holds the number without the mobile 9, WhatsApp answers with it.
      const number = '+541123456789';
      const waId = '5491123456789';
      h.meta.setWhatsAppId(number, waId);
      for (const definition of templateDefinitions) h.meta.upsertTemplate(h.location.wabaId, definition);
      expect((await syncTemplates(h)).status).toBe(200);
      const contact = h.highLevel.seedContact({ locationId: h.location.id, phone: number, name: 'Ana' });
      await h.db.insertInto('consent_events').values({ location_id: h.location.id, phone_e164: number, status: 'opted_in', source: 'test' }).execute();

      // Outside the window: the reminder goes as a template, and Meta's answer names the id.
      expect(await sendFromHighLevel(number, contact.id, 'Hi Ana, your appointment is on May 3 at 10:00.')).toMatchObject({ status: 'read' });
      expect(provider.sentTo(number).map((sent) => sent.kind)).toEqual(['template']);
      expect(await h.db.selectFrom('whatsapp_ids').select(['wa_id', 'phone_e164']).where('location_id', '=', h.location.id).where('wa_id', '=', waId).execute()).toEqual([
        { wa_id: waId, phone_e164: number },
      ]);

      const reply = await emit(`+${waId}`, 'Gracias');
      expect(await outcomeOf(reply)).toMatchObject({ status: 'delivered', contactId: contact.id });
      expect(contactsWithPhone(`+${waId}`)).toEqual([]);
      expect(await sendFromHighLevel(number, contact.id, 'See you then')).toMatchObject({ status: 'read' });
      expect(provider.sentTo(number).map((sent) => [sent.kind, sent.body])).toEqual([
        ['template', undefined],
        ['text', 'See you then'],
      ]);
    });
  }
});
