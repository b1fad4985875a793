import { canonicalWhatsAppNumber, normalizePhone, whatsAppIdAsNumber } from '../../src/domain/phone';

describe('canonicalWhatsAppNumber', () => {
  it('drops the old Mexican mobile 1: wa_id 521 + 10 digits is +52 + the same 10 digits', () => {
    expect(canonicalWhatsAppNumber('+5215512345678')).toBe('+525512345678');
    expect(canonicalWhatsAppNumber('+5213312345678')).toBe('+523312345678');
    // The result is the number HighLevel holds, and a valid one.
    expect(normalizePhone(canonicalWhatsAppNumber('+5215512345678'))).toEqual({ ok: true, e164: '+525512345678' });
  });

  it('adds the ninth digit to a Brazilian mobile that arrives without it', () => {
    expect(canonicalWhatsAppNumber('+551187654321')).toBe('+5511987654321');
    expect(canonicalWhatsAppNumber('+552176543210')).toBe('+5521976543210');
    expect(normalizePhone(canonicalWhatsAppNumber('+551187654321'))).toEqual({ ok: true, e164: '+5511987654321' });
  });

  it('leaves Brazilian landlines (first digit 2–5) and numbers that already have the ninth digit alone', () => {
    expect(canonicalWhatsAppNumber('+551123456789')).toBe('+551123456789');
    expect(canonicalWhatsAppNumber('+555134567890')).toBe('+555134567890');
    expect(canonicalWhatsAppNumber('+5511987654321')).toBe('+5511987654321');
  });

  it('leaves ordinary numbers unchanged, canonical ones included', () => {
    for (const number of ['+15864603685', '+525512345678', '+447911123456', '+919900000000', '+5491123456789', '+16505551234']) {
      expect(canonicalWhatsAppNumber(number)).toBe(number);
    }
  });

  it('is idempotent', () => {
    for (const number of ['+5215512345678', '+551187654321', '+15864603685']) {
      expect(canonicalWhatsAppNumber(canonicalWhatsAppNumber(number))).toBe(canonicalWhatsAppNumber(number));
    }
  });

  it('does not touch lookalikes of other lengths', () => {
    expect(canonicalWhatsAppNumber('+52155123456789')).toBe('+52155123456789');
    expect(canonicalWhatsAppNumber('+55118765432')).toBe('+55118765432');
    expect(canonicalWhatsAppNumber('+551087654321')).toBe('+551087654321'); // no area code starts or ends with 0
  });
});

describe('whatsAppIdAsNumber', () => {
  it('reads a wa_id or a Twilio WaId as +digits', () => {
    expect(whatsAppIdAsNumber('5215512345678')).toBe('+5215512345678');
    expect(whatsAppIdAsNumber('+16505551234')).toBe('+16505551234');
    expect(whatsAppIdAsNumber('123')).toBeNull();
  });
});
