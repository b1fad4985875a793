import crypto from 'node:crypto';
import { DEFAULT_OPT_IN_CONFIRMATION, DEFAULT_OPT_OUT_CONFIRMATION } from '../../src/domain/locationSettings';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { findLedgerEntry } from '../../src/store/ledger';
import type { InboundOutcome } from '../../workflows/receiveInbound';
import { deliverWorkflowId } from '../../workflows/shared';
import { BACKENDS, driverFor, type BackendDriver, type EmittedInbound, type InboundSpec } from '../support/backends';
import { startHarness, type Harness } from '../support/harness';
import { deliveryOutcome, expectSameRun } from '../support/expectations';
import { waitFor } from '../support/waitFor';

describe.each(BACKENDS)('WhatsApp → HighLevel over the %s back end', (backend) => {
  let h: Harness;
  let provider: BackendDriver;
  beforeAll(async () => {
    h = await startHarness({ backend });
    provider = driverFor(h, backend);
  });
  afterAll(async () => {
    await h?.stop();
  });

  let counter = 0;
  const newPhone = () => `+1586472${String(1000 + ++counter).padStart(4, '0')}`;
  /** The provider posts its signed webhook to the product; the product must have accepted it. */
  async function emit(spec: InboundSpec): Promise<EmittedInbound> {
    const inbound = await provider.emitInbound(spec);
    expect(inbound.statusCode).toBe(200);
    return inbound;
  }
  const outcomeOf = (inbound: EmittedInbound): Promise<InboundOutcome> => h.temporal.workflow.getHandle(inbound.workflowId).result();
  const inHighLevel = (inbound: EmittedInbound) => h.highLevel.inboundMessages.filter((message) => message.altId === inbound.providerMessageId);
  const contactsWithPhone = (phone: string) => [...h.highLevel.contacts.values()].filter((contact) => contact.phone === phone);
  const textsTo = (phone: string) => provider.sentTo(phone).map((message) => message.body);

  /** HighLevel posts an SMS for the contact to the Delivery URL; resolves with the workflow's outcome. */
  async function sendFromHighLevel(phone: string) {
    const contactId = contactsWithPhone(phone)[0]?.id;
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, contactId, phone, attachments: [], message: 'Your appointment is tomorrow at 10' });
    expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
    const workflowId = deliverWorkflowId(h.location.id, payload.messageId);
    return { result: await deliveryOutcome(h.temporal, workflowId), payload, workflowId };
  }

  it('creates the contact for an unknown number and threads the text with the provider id as altId, once however often it is redelivered', async () => {
    const phone = newPhone();
    const inbound = await emit({ from: phone, profileName: 'Sheena Nelson', text: 'Does it come in another color?' });
    expect(await Promise.all([inbound.redeliver(), inbound.redeliver()])).toEqual([200, 200]);

    expect(await outcomeOf(inbound)).toMatchObject({ status: 'delivered' });
    const [contact, ...others] = contactsWithPhone(phone);
    expect(others).toEqual([]);
    expect(contact).toMatchObject({ locationId: h.location.id, name: 'Sheena Nelson' });
    expect(inHighLevel(inbound)).toEqual([
      expect.objectContaining({ type: 'SMS', contactId: contact?.id, message: 'Does it come in another color?', attachments: [], altId: inbound.providerMessageId, direction: 'inbound' }),
    ]);

    const { runId } = await h.temporal.workflow.getHandle(inbound.workflowId).describe();
    expect(await inbound.redeliver()).toBe(200);
    await expectSameRun(h.temporal, inbound.workflowId, runId);
    expect(inHighLevel(inbound)).toHaveLength(1);
  });

  it('re-hosts an inbound image in HighLevel: the attachment has exactly the bytes WhatsApp holds', async () => {
    const bytes = crypto.randomBytes(48 * 1024);
    const inbound = await emit({ from: newPhone(), image: { bytes, mimeType: 'image/jpeg', caption: 'Taj Mahal' } });
    expect(await outcomeOf(inbound)).toMatchObject({ status: 'delivered', attachments: 1, placeholders: 0 });

    const [message] = inHighLevel(inbound);
    expect(message).toMatchObject({ message: 'Taj Mahal', attachments: [expect.stringMatching(/\.jpg$/)] });
    const downloaded = Buffer.from(await (await fetch(message?.attachments?.[0] as string)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('STOP sets WhatsApp DND in HighLevel and blocks the next outbound; START restores sending', async () => {
    const phone = newPhone();
    await outcomeOf(await emit({ from: phone, profileName: 'Pat', text: 'Hi' }));

    const stop = await emit({ from: phone, text: 'Stop' });
    await waitFor(() => contactsWithPhone(phone)[0]?.dndSettings.WhatsApp?.status === 'active', { what: 'WhatsApp DND in HighLevel' });
    expect(await outcomeOf(stop)).toMatchObject({ status: 'delivered', keyword: 'opt_out', confirmation: 'sent' });
    expect(contactsWithPhone(phone)[0]?.tags).toContain('whatsapp-opted-out');
    expect(inHighLevel(stop).map((message) => message.message)).toEqual(['Stop']);
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION]);

    const blocked = await sendFromHighLevel(phone);
    expect(blocked.result).toMatchObject({ status: 'failed', reason: 'contact opted out of WhatsApp' });
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION]);
    expect(h.highLevel.statusUpdates.filter((update) => update.messageId === blocked.payload.messageId)).toEqual([
      expect.objectContaining({ status: 'failed', error: { code: 'opted_out', type: 'saas', message: 'contact opted out of WhatsApp' } }),
    ]);
    expect(await findLedgerEntry(h.db, blocked.workflowId)).toMatchObject({ status: 'failed', status_reason: 'contact opted out of WhatsApp' });

    const start = await emit({ from: phone, text: 'START' });
    expect(await outcomeOf(start)).toMatchObject({ status: 'delivered', keyword: 'opt_in', confirmation: 'sent' });
    expect(contactsWithPhone(phone)[0]?.dndSettings.WhatsApp?.status).toBe('inactive');
    expect(contactsWithPhone(phone)[0]?.tags).not.toContain('whatsapp-opted-out');

    const sent = await sendFromHighLevel(phone);
    expect(sent.result).toMatchObject({ status: 'read', channel: 'whatsapp' });
    expect(textsTo(phone)).toEqual([DEFAULT_OPT_OUT_CONFIRMATION, DEFAULT_OPT_IN_CONFIRMATION, 'Your appointment is tomorrow at 10']);
  });
});
