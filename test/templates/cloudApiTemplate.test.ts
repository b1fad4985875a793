import type { OutboundPart } from '../../src/domain/outboundContent';
import { CloudApiClient, cloudApiMessageBody } from '../../src/providers/meta/cloudApiClient';
import { ProviderSendError } from '../../src/providers/messagingPort';
import { MetaSimulator } from '@ghl-whatsapp/simulators';

const account = { accessToken: 'tok-send', wabaId: 'waba-send', phoneNumberId: 'pn-send', displayPhoneNumber: '15550008888' };
let meta: MetaSimulator;

beforeAll(async () => {
  meta = await MetaSimulator.start({ appSecret: 'secret', accounts: [account] });
  meta.upsertTemplate(account.wabaId, {
    name: 'appointment_reminder',
    language: 'en_US',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
  });
});
afterAll(async () => {
  await meta?.stop();
});

const reminder: OutboundPart = {
  kind: 'template',
  template: {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'May 3' }, { type: 'text', text: '10:00' }] }],
  },
};

describe('Cloud API template messages', () => {
  it('posts the exact template request Meta documents and gets a wamid back', async () => {
    meta.requests.length = 0;
    const client = new CloudApiClient(meta.baseUrl, { phoneNumberId: account.phoneNumberId, accessToken: account.accessToken });
    const { providerMessageId } = await client.send('+15864603001', reminder, 'deliver:loc:msg-1');
    expect(providerMessageId).toMatch(/^wamid\./);
    const request = meta.requests.find((r) => r.method === 'POST');
    expect(request?.path).toBe(`/${meta.apiVersion}/pn-send/messages`);
    expect(request?.headers.authorization).toBe('Bearer tok-send');
    expect(JSON.parse(request?.rawBody ?? '')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+15864603001',
      biz_opaque_callback_data: 'deliver:loc:msg-1',
      type: 'template',
      template: {
        name: 'appointment_reminder',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'May 3' }, { type: 'text', text: '10:00' }] }],
      },
    });
    expect(meta.sentMessages.at(-1)).toMatchObject({ type: 'template', to: '+15864603001' });
  });

  it('leaves out an empty components list', () => {
    const body = cloudApiMessageBody('+1555', { kind: 'template', template: { name: 'hello_world', language: 'en_US', category: 'UTILITY', components: [] } }, 'ref');
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+1555',
      biz_opaque_callback_data: 'ref',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('keeps text and media bodies exactly as before', () => {
    expect(JSON.stringify(cloudApiMessageBody('+1555', { kind: 'text', body: 'Hi', previewUrl: false }, 'ref'))).toBe(
      '{"messaging_product":"whatsapp","recipient_type":"individual","to":"+1555","biz_opaque_callback_data":"ref","type":"text","text":{"preview_url":false,"body":"Hi"}}',
    );
    expect(JSON.stringify(cloudApiMessageBody('+1555', { kind: 'media', mediaType: 'document', link: 'https://x.test/a.pdf', caption: 'c', filename: 'a.pdf' }, 'ref'))).toBe(
      '{"messaging_product":"whatsapp","recipient_type":"individual","to":"+1555","biz_opaque_callback_data":"ref","type":"document","document":{"link":"https://x.test/a.pdf","caption":"c","filename":"a.pdf"}}',
    );
    // Meta takes image/webp as a sticker message (link only), never as an image.
    expect(JSON.stringify(cloudApiMessageBody('+1555', { kind: 'media', mediaType: 'sticker', link: 'https://x.test/s.webp' }, 'ref'))).toBe(
      '{"messaging_product":"whatsapp","recipient_type":"individual","to":"+1555","biz_opaque_callback_data":"ref","type":"sticker","sticker":{"link":"https://x.test/s.webp"}}',
    );
  });

  it("surfaces Meta's 132015 for a paused template as a ProviderSendError", async () => {
    meta.setTemplateStatus(account.wabaId, 'appointment_reminder', 'en_US', 'PAUSED');
    const client = new CloudApiClient(meta.baseUrl, { phoneNumberId: account.phoneNumberId, accessToken: account.accessToken });
    const error = await client.send('+15864603002', reminder, 'ref').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderSendError);
    expect((error as ProviderSendError).providerError).toMatchObject({ code: 132015, httpStatus: 400 });
    meta.setTemplateStatus(account.wabaId, 'appointment_reminder', 'en_US', 'APPROVED');
  });
});
