import { parseMetaInbound } from '../../src/providers/meta/inboundParser';
import type { MetaWebhookPayload } from '../../src/providers/meta/webhookParser';

/** whatsapp.md A.3: the verbatim incoming-text example. */
const verbatimText: MetaWebhookPayload = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
            messages: [
              { from: '16505551234', id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', timestamp: '1749416383', type: 'text', text: { body: 'Does it come in another color?' } },
            ],
          },
          field: 'messages',
        },
      ],
    },
  ],
} as unknown as MetaWebhookPayload;

function payloadWith(messages: unknown[], contacts: unknown[] = [], phoneNumberId = 'pn-1'): MetaWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'waba', changes: [{ field: 'messages', value: { metadata: { phone_number_id: phoneNumberId }, contacts, messages } as never }] }],
  };
}

describe('parseMetaInbound', () => {
  it("turns Meta's example into a provider-neutral event", () => {
    expect(parseMetaInbound(verbatimText)).toEqual([
      {
        kind: 'inbound',
        provider: 'meta',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        businessNumberId: '106540352242922',
        from: '+16505551234',
        waId: '16505551234',
        profileName: 'Sheena Nelson',
        occurredAt: '2025-06-08T20:59:43.000Z',
        type: 'text',
        text: 'Does it come in another color?',
        media: [],
      },
    ]);
  });

  it('reads every message of every change of every entry', () => {
    const first = payloadWith([{ from: '16505551234', id: 'wamid.A', timestamp: '1', type: 'text', text: { body: 'a' } }], [], 'pn-1');
    const second = payloadWith(
      [
        { from: '16505551235', id: 'wamid.B', timestamp: '1', type: 'text', text: { body: 'b' } },
        { from: '16505551236', id: 'wamid.C', timestamp: '1', type: 'text', text: { body: 'c' } },
      ],
      [],
      'pn-2',
    );
    const payload: MetaWebhookPayload = { object: 'whatsapp_business_account', entry: [...(first.entry ?? []), { id: 'waba', changes: [...(second.entry?.[0]?.changes ?? []), ...(first.entry?.[0]?.changes ?? [])] }] };
    expect(parseMetaInbound(payload).map((event) => [event.businessNumberId, event.providerMessageId])).toEqual([
      ['pn-1', 'wamid.A'],
      ['pn-2', 'wamid.B'],
      ['pn-2', 'wamid.C'],
      ['pn-1', 'wamid.A'],
    ]);
  });

  it('handles senders known only by a business-scoped user id', () => {
    const [event] = parseMetaInbound(
      payloadWith([{ from_user_id: 'US.13491208655302741918', id: 'wamid.U', timestamp: '1749416383', type: 'text', text: { body: 'Hi there' } }], [{ profile: { name: 'Sheena' }, user_id: 'US.13491208655302741918' }]),
    );
    expect(event).toMatchObject({ from: null, fromUserId: 'US.13491208655302741918', profileName: 'Sheena', text: 'Hi there' });
  });

  it('keeps media references for the activity to resolve, with the caption as text', () => {
    const [image, document] = parseMetaInbound(
      payloadWith([
        { from: '16505551234', id: 'wamid.I', timestamp: '1', type: 'image', image: { caption: 'Taj Mahal', mime_type: 'image/jpeg', sha256: 'abc=', id: '1003383421387256' } },
        { from: '16505551234', id: 'wamid.D', timestamp: '1', type: 'document', document: { filename: 'invoice.pdf', mime_type: 'application/pdf', id: '77' } },
      ]),
    );
    expect(image).toMatchObject({ type: 'image', text: 'Taj Mahal', media: [{ kind: 'image', id: '1003383421387256', mimeType: 'image/jpeg', sha256: 'abc=' }] });
    expect(document).toMatchObject({ type: 'document', text: '', media: [{ kind: 'document', id: '77', filename: 'invoice.pdf' }] });
  });

  it('records button payloads, reply context and reaction targets', () => {
    const [button, list, reaction] = parseMetaInbound(
      payloadWith([
        { context: { from: '15550783881', id: 'wamid.OUT' }, from: '16505551234', id: 'wamid.B', timestamp: '1', type: 'button', button: { payload: 'Unsubscribe', text: 'Unsubscribe' } },
        { from: '16505551234', id: 'wamid.L', timestamp: '1', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express' } } },
        { from: '16505551234', id: 'wamid.R', timestamp: '1', type: 'reaction', reaction: { message_id: 'wamid.OUT2', emoji: '👍' } },
      ]),
    );
    expect(button).toMatchObject({ type: 'button', text: 'Unsubscribe', payload: 'Unsubscribe', replyTo: 'wamid.OUT' });
    expect(list).toMatchObject({ type: 'interactive', text: 'Priority Mail Express', payload: 'priority_express' });
    expect(reaction).toMatchObject({ type: 'reaction', text: '[Reacted 👍 to a message]', replyTo: 'wamid.OUT2' });
  });

  it('describes unknown and unsupported types in words instead of dropping them', () => {
    const [unsupported, future] = parseMetaInbound(
      payloadWith([
        { from: '16505551234', id: 'wamid.X', timestamp: '1', errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }], type: 'unsupported' },
        { from: '16505551234', id: 'wamid.Y', timestamp: '1', type: 'poll', poll: {} },
      ]),
    );
    expect(unsupported).toMatchObject({ type: 'unsupported', text: expect.stringContaining('Message type is currently not supported.') });
    expect(future).toMatchObject({ type: 'unsupported', text: '[Unsupported WhatsApp message (poll): open WhatsApp to view it]' });
  });

  it('skips what cannot be keyed or routed, without throwing', () => {
    expect(parseMetaInbound(payloadWith([{ id: 'wamid.NOBODY', type: 'text' }, null, 'x', { from: '1650' }]))).toEqual([]);
    expect(parseMetaInbound({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: '1', id: 'w' }] } }] }] })).toEqual([]);
    expect(parseMetaInbound({})).toEqual([]);
  });
});
