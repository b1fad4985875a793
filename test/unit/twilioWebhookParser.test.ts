import { parseForm } from '../../src/providers/twilio/signature';
import { parseTwilioWebhook } from '../../src/providers/twilio/webhookParser';

const AT = new Date('2025-06-01T12:00:00.000Z');
const REF = 'deliver:loc-1:hl-1';

describe('parseTwilioWebhook: status callbacks', () => {
  it('reads a WhatsApp delivered callback (captured form) with our reference', () => {
    const raw =
      'EventType=DELIVERED&SmsSid=SMdf55df64a2ff4920bb0748193cfbb640&SmsStatus=delivered&MessageStatus=delivered&ChannelToAddress=%2B31612345678&To=whatsapp%3A%2B31612345678&ChannelPrefix=whatsapp&MessageSid=SMdf55df64a2ff4920bb0748193cfbb640&AccountSid=AC1a03647d811fab342c0ad608e382fab2&From=whatsapp%3A%2B14123456789&ApiVersion=2010-04-01&ChannelInstallSid=XE4e524de4c4d93a42831b334b540bc5ae';
    expect(parseTwilioWebhook(parseForm(raw), REF, AT)).toEqual({
      kind: 'receipt',
      receipt: {
        kind: 'receipt',
        provider: 'twilio',
        channel: 'whatsapp',
        providerMessageId: 'SMdf55df64a2ff4920bb0748193cfbb640',
        status: 'delivered',
        occurredAt: '2025-06-01T12:00:00.000Z',
        reference: REF,
        businessNumberId: '+14123456789',
      },
    });
  });

  it('maps undelivered to failed with the error code, and marks SMS receipts as sms', () => {
    const raw = 'MessageSid=SM1&SmsSid=SM1&MessageStatus=undelivered&SmsStatus=undelivered&To=%2B16505551234&From=%2B15017122661&AccountSid=AC1&ErrorCode=30003&ApiVersion=2010-04-01';
    expect(parseTwilioWebhook(parseForm(raw), undefined, AT)).toMatchObject({
      kind: 'receipt',
      receipt: { channel: 'sms', status: 'failed', providerMessageId: 'SM1', error: { code: 30003 }, businessNumberId: '+15017122661' },
    });
  });

  it('names the Messaging Service when there is no From', () => {
    const raw = 'MessageSid=SM2&MessageStatus=sent&To=%2B16505551234&MessagingServiceSid=MGabc&AccountSid=AC1';
    expect(parseTwilioWebhook(parseForm(raw), REF, AT)).toMatchObject({ kind: 'receipt', receipt: { status: 'sent', businessNumberId: 'MGabc' } });
  });

  it.each(['queued', 'accepted', 'sending', 'scheduled'])('ignores the %s status', (status) => {
    expect(parseTwilioWebhook(parseForm(`MessageSid=SM3&MessageStatus=${status}&AccountSid=AC1`), REF, AT)).toMatchObject({ kind: 'ignored' });
  });
});

describe('parseTwilioWebhook: incoming messages', () => {
  it('reads a WhatsApp quick-reply (captured form) as a button reply with its payload', () => {
    const raw = [
      'OriginalRepliedMessageSender=whatsapp%3A%2B14155238886',
      'ExternalUserId=whatsapp%3AID.4566546130240823',
      'NumMedia=0',
      'ProfileName=teknisee',
      'MessageType=interactive',
      'SmsSid=SM8824d91645395b17594d92659b878468',
      'WaId=6285176810035',
      'SmsStatus=received',
      'Body=Konfirmasi',
      'ButtonText=Konfirmasi',
      'To=whatsapp%3A%2B14155238886',
      'ButtonPayload=%7BverifyEmail%3Aasd%40asd.com%7D',
      'MessageSid=SM8824d91645395b17594d92659b878468',
      'AccountSid=ACefb707f7c4ce4d15bc4261fd1d5ed615',
      'OriginalRepliedMessageSid=MM5cc44eecf7dab0d48d4529d0fa4af44d',
      'From=whatsapp%3A%2B6285176810035&ApiVersion=2010-04-01',
    ].join('&');
    expect(parseTwilioWebhook(parseForm(raw), undefined, AT)).toEqual({
      kind: 'inbound',
      message: {
        kind: 'inbound',
        provider: 'twilio',
        channel: 'whatsapp',
        accountSid: 'ACefb707f7c4ce4d15bc4261fd1d5ed615',
        providerMessageId: 'SM8824d91645395b17594d92659b878468',
        businessNumberId: '+14155238886',
        from: '+6285176810035',
        waId: '6285176810035',
        fromUserId: 'ID.4566546130240823',
        profileName: 'teknisee',
        occurredAt: '2025-06-01T12:00:00.000Z',
        type: 'button',
        text: 'Konfirmasi',
        media: [],
        payload: '{verifyEmail:asd@asd.com}',
        replyTo: 'MM5cc44eecf7dab0d48d4529d0fa4af44d',
      },
    });
  });

  it('reads a plain WhatsApp text (captured form)', () => {
    const raw =
      'SmsMessageSid=SM45e9b726c0314a5524cXXXX&NumMedia=0&ProfileName=Ranjit+Sankar&SmsSid=SM45e9b726c0314a5524c3f3cbYYYYY&WaId=919900000000&SmsStatus=received&Body=hey&To=whatsapp%3A%2B14155238886&NumSegments=1&ReferralNumMedia=0&MessageSid=SM45e9b726c0314a5524c3f3cb4ZZZZZ&AccountSid=AC8e904faad99a05efe123e12DDDDDD&From=whatsapp%3A%2B919900000000&ApiVersion=2010-04-01';
    expect(parseTwilioWebhook(parseForm(raw), undefined, AT)).toMatchObject({
      kind: 'inbound',
      message: { channel: 'whatsapp', providerMessageId: 'SM45e9b726c0314a5524c3f3cb4ZZZZZ', from: '+919900000000', type: 'text', text: 'hey', profileName: 'Ranjit Sankar' },
    });
  });

  it('lists the media of an MMS with the caption as text, and keeps the sms channel', () => {
    const raw =
      'MessageSid=MM1&AccountSid=AC1&From=%2B16505551234&To=%2B15017122661&Body=Here+it+is&NumMedia=2&SmsStatus=received' +
      '&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fa&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fb&MediaContentType1=application%2Fpdf';
    expect(parseTwilioWebhook(parseForm(raw), undefined, AT)).toMatchObject({
      kind: 'inbound',
      message: {
        channel: 'sms',
        from: '+16505551234',
        businessNumberId: '+15017122661',
        type: 'image',
        text: 'Here it is',
        media: [
          { kind: 'image', url: 'https://api.twilio.com/a', mimeType: 'image/jpeg' },
          { kind: 'document', url: 'https://api.twilio.com/b', mimeType: 'application/pdf' },
        ],
      },
    });
  });

  it('reads a shared location', () => {
    const raw = 'MessageSid=SM9&AccountSid=AC1&From=whatsapp%3A%2B16505551234&To=whatsapp%3A%2B14155238886&SmsStatus=received&NumMedia=0&MessageType=location&Latitude=52.37&Longitude=4.89&Label=Office';
    expect(parseTwilioWebhook(parseForm(raw), undefined, AT)).toMatchObject({
      kind: 'inbound',
      message: { type: 'location', text: '[Shared a location] Office https://maps.google.com/?q=52.37,4.89' },
    });
  });

  it('ignores a form that is neither', () => {
    expect(parseTwilioWebhook(parseForm('AccountSid=AC1&Foo=bar'), undefined, AT)).toMatchObject({ kind: 'ignored' });
  });
});
