import { fallbackTriggerFor, mayFallBackToSms, smsPermission, type SmsPermission } from '../../src/domain/fallbackPolicy';

const allowed: SmsPermission = { allowed: true };
const everyTrigger = ['no_receipt', 'not_on_whatsapp', 'no_template', 'no_whatsapp_consent', 'whatsapp_opt_out', 'whatsapp_unavailable'] as const;

describe('mayFallBackToSms: the one rule for "does this message go by SMS now"', () => {
  it('falls back on a trigger the location enabled, when the contact may get an SMS and none went out', () => {
    expect(mayFallBackToSms({ trigger: 'not_on_whatsapp', permission: allowed, enabledTriggers: [...everyTrigger], smsAlreadySent: false })).toEqual({ fallBack: true, trigger: 'not_on_whatsapp' });
  });

  it('never sends a second SMS, and never without a trigger or for a trigger the location did not enable', () => {
    expect(mayFallBackToSms({ trigger: 'no_receipt', permission: allowed, enabledTriggers: [...everyTrigger], smsAlreadySent: true })).toEqual({ fallBack: false });
    expect(mayFallBackToSms({ trigger: undefined, permission: allowed, enabledTriggers: [...everyTrigger], smsAlreadySent: false })).toEqual({ fallBack: false });
    expect(mayFallBackToSms({ trigger: 'no_receipt', permission: allowed, enabledTriggers: ['not_on_whatsapp'], smsAlreadySent: false })).toEqual({ fallBack: false });
  });

  it('says why not when the location falls back but this contact cannot get an SMS; says nothing when the fallback is off', () => {
    const dnd = smsPermission({ fallbackEnabled: true, smsConfigured: true, phoneE164: '+15550001111', highLevelSmsDnd: true, highLevelAllDnd: false });
    expect(mayFallBackToSms({ trigger: 'not_on_whatsapp', permission: dnd, enabledTriggers: [...everyTrigger], smsAlreadySent: false })).toEqual({
      fallBack: false,
      blockedBy: 'contact has Do Not Disturb active for SMS in HighLevel',
    });
    const off = smsPermission({ fallbackEnabled: false, smsConfigured: true, phoneE164: '+15550001111', highLevelSmsDnd: false, highLevelAllDnd: false });
    expect(mayFallBackToSms({ trigger: 'not_on_whatsapp', permission: off, enabledTriggers: [...everyTrigger], smsAlreadySent: false })).toEqual({ fallBack: false });
  });

  it('maps provider error classes onto triggers', () => {
    expect(fallbackTriggerFor('fallback')).toBe('not_on_whatsapp');
    expect(fallbackTriggerFor('needs_template')).toBe('no_template');
    expect(fallbackTriggerFor('pause_sender')).toBe('whatsapp_unavailable');
    expect(fallbackTriggerFor('permanent')).toBeUndefined();
  });
});
