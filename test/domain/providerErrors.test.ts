import { classifyReceiptFailure } from '../../src/domain/providerErrors';

describe('classifyReceiptFailure', () => {
  it("classifies and words a receipt's error with its provider's own table", () => {
    expect(classifyReceiptFailure('meta', { code: 131047, title: 'Re-engagement message' })).toEqual({
      code: 131047,
      title: 'Re-engagement message',
      errorClass: 'needs_template',
      reason: 'WhatsApp error 131047: more than 24 hours since the contact last replied; only an approved template can be sent',
    });
    expect(classifyReceiptFailure('twilio', { code: 63016 })).toMatchObject({ code: 63016, errorClass: 'needs_template' });
  });

  it('takes a failure without an error for the message failing, not for an account problem (Meta code 0 would pause the sender)', () => {
    expect(classifyReceiptFailure('meta', { code: 0 }).errorClass).toBe('pause_sender');
    expect(classifyReceiptFailure('meta', undefined)).toEqual({ code: 0, errorClass: 'permanent', reason: 'WhatsApp reported the message as failed without saying why' });
    expect(classifyReceiptFailure('twilio', undefined)).toEqual({ code: 0, errorClass: 'permanent', reason: 'Twilio reported the message as failed without saying why' });
  });
});
