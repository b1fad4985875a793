import { signMetaPayload, verifyMetaSignature } from '../../src/providers/meta/signature';
import { signTwilioRequest, verifyTwilioSignature, parseForm } from '../../src/providers/twilio/signature';

describe('Meta X-Hub-Signature-256', () => {
  it('matches the published vectors', () => {
    expect(signMetaPayload('test', 'secret')).toBe('sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914');
    const escaped =
      "Let's pretend this body is equal to the message object and can handle unicode characters like \\u307f\\u3069\\u308a\\u3044\\u308d and J'ai mang\\u00e9 des p\\u00e2tes";
    expect(signMetaPayload(escaped, 'YOUR_APP_SECRET')).toBe('sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688');
  });

  it('rejects a tampered body, a wrong secret and a missing header', () => {
    const header = signMetaPayload('{"a":1}', 's3cret');
    expect(verifyMetaSignature('{"a":1}', header, 's3cret')).toBe(true);
    expect(verifyMetaSignature('{"a":2}', header, 's3cret')).toBe(false);
    expect(verifyMetaSignature('{"a":1}', header, 'other')).toBe(false);
    expect(verifyMetaSignature('{"a":1}', undefined, 's3cret')).toBe(false);
  });
});

describe('Twilio X-Twilio-Signature', () => {
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

  it("verifies Twilio's published vector, also with the default port", () => {
    expect(signTwilioRequest('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params)).toBe(true);
  });

  it('verifies the WhatsApp status-callback vector', () => {
    const raw =
      'SmsSid=SM0123456789abcdef0123456789abcdef&SmsStatus=read&MessageStatus=read&EventType=READ&ChannelToAddress=%2B16505551234&To=whatsapp%3A%2B16505551234&ChannelPrefix=whatsapp&MessageSid=SM0123456789abcdef0123456789abcdef&AccountSid=AC0123456789abcdef0123456789abcdef&From=whatsapp%3A%2B14155238886&ApiVersion=2010-04-01';
    expect(verifyTwilioSignature('test_auth_token', 'OI6yml6VT0cFrcDvHfo9alYwua8=', 'https://hooks.example.com/twilio/status?tenant=acme', parseForm(raw))).toBe(true);
  });

  it('rejects a tampered parameter', () => {
    expect(verifyTwilioSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', 'https://mycompany.com/myapp.php?foo=1&bar=2', { ...params, Digits: '9999' })).toBe(false);
  });
});
