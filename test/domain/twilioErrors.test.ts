import type { ErrorClass } from '../../src/domain/providerErrors';
import { classifyProviderError, describeProviderError } from '../../src/domain/providerErrors';
import { classifyTwilioError, describeTwilioError, isTwilioSmsOptOut } from '../../src/domain/twilioErrors';

describe('classifyTwilioError', () => {
  it.each<[number, number | undefined, ErrorClass]>([
    [63016, undefined, 'needs_template'],
    [63003, undefined, 'fallback'],
    [63024, undefined, 'fallback'],
    [63032, undefined, 'fallback'],
    [63049, undefined, 'fallback'],
    [63018, 429, 'retry'],
    [20429, 429, 'retry'],
    [30003, undefined, 'retry'],
    [30008, undefined, 'retry'],
    [63012, undefined, 'retry'],
    [21610, 400, 'permanent'],
    [21614, 400, 'permanent'],
    [21211, 400, 'permanent'],
    [30004, undefined, 'permanent'],
    [30005, undefined, 'permanent'],
    [30006, undefined, 'permanent'],
    [30007, undefined, 'permanent'],
    [63014, undefined, 'permanent'],
    [63033, undefined, 'permanent'],
    [63015, undefined, 'permanent'],
    [20003, 401, 'pause_sender'],
    [30002, undefined, 'pause_sender'],
    [63007, undefined, 'pause_sender'],
    [63112, undefined, 'pause_sender'],
  ])('code %i (HTTP %s) → %s', (code, httpStatus, expected) => {
    expect(classifyTwilioError({ code, httpStatus })).toBe(expected);
  });

  it('retries unknown codes on 5xx or 429, and treats other unknown codes as permanent', () => {
    expect(classifyTwilioError({ code: 99999, httpStatus: 503 })).toBe('retry');
    expect(classifyTwilioError({ code: 99999, httpStatus: 429 })).toBe('retry');
    expect(classifyTwilioError({ code: 99999, httpStatus: 400 })).toBe('permanent');
    expect(classifyTwilioError({ code: 99999 })).toBe('permanent');
  });

  it("pauses the sender for Meta disabling the account behind it, as Meta's own account-level codes do", () => {
    const disabled = { provider: 'twilio' as const, error: { code: 63112 } };
    expect(classifyProviderError(disabled.provider, disabled.error)).toBe('pause_sender');
    expect([368, 131031].map((code) => classifyProviderError('meta', { code }))).toEqual(['pause_sender', 'pause_sender']);
    expect(describeProviderError(disabled.provider, disabled.error)).toBe(
      "Twilio error 63112: Meta disabled the Meta Business or WhatsApp Business Account behind this WhatsApp sender; see the account's status in WhatsApp Manager",
    );
  });

  it('tells an SMS opt-out apart from other permanent failures', () => {
    expect(isTwilioSmsOptOut({ code: 21610, httpStatus: 400 })).toBe(true);
    expect(isTwilioSmsOptOut({ code: 21614, httpStatus: 400 })).toBe(false);
  });
});

describe('describeTwilioError', () => {
  it('gives a reason an agency user understands, with the code', () => {
    expect(describeTwilioError({ code: 63016 })).toBe(
      'Twilio error 63016: more than 24 hours since the contact last replied; only an approved template can be sent',
    );
    expect(describeTwilioError({ code: 21610 })).toBe('Twilio error 21610: the contact opted out of SMS (replied STOP); they must reply START to receive SMS again');
    expect(describeTwilioError({ code: 63024 })).toContain('not on WhatsApp');
  });

  it("falls back to Twilio's own text for codes it does not know", () => {
    expect(describeTwilioError({ code: 12345, title: 'Something odd' })).toBe('Twilio error 12345: Something odd');
    expect(describeTwilioError({ code: 12345 })).toBe('Twilio error 12345: Twilio reported an error');
  });
});
