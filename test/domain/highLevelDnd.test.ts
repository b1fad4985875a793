import { contactDndFacts, dndBlocks, withChannelDnd } from '../../src/domain/highLevelDnd';
import { decideDelivery } from '../../src/domain/deliveryDecision';
import { smsPermission } from '../../src/domain/fallbackPolicy';

describe('HighLevel DND (contacts.json DndSettingSchema: active | inactive | permanent)', () => {
  it('blocks on active and permanent, not on inactive or a missing status', () => {
    expect(dndBlocks({ status: 'active' })).toBe(true);
    expect(dndBlocks({ status: 'permanent' })).toBe(true);
    expect(dndBlocks({ status: 'inactive' })).toBe(false);
    expect(dndBlocks({})).toBe(false);
    expect(dndBlocks(undefined)).toBe(false);
  });

  it('a contact with permanent WhatsApp DND is never sent a WhatsApp', () => {
    const dnd = contactDndFacts({ dnd: false, dndSettings: { WhatsApp: { status: 'permanent' } } });
    expect(dnd).toEqual({ all: false, whatsApp: true, sms: false });
    const decision = decideDelivery({
      phoneE164: '+15550001111', senderPausedReason: null, consent: 'opted_in', highLevelWhatsAppDnd: dnd.whatsApp, windowOpen: true, treatUnknownConsentAsOptedIn: false,
    });
    expect(decision).toMatchObject({ action: 'skip', code: 'dnd' });
  });

  it('permanent SMS DND blocks the SMS fallback; `dnd: true` blocks every channel', () => {
    const sms = contactDndFacts({ dndSettings: { SMS: { status: 'permanent', message: 'carrier blocked' } } });
    expect(smsPermission({ fallbackEnabled: true, smsConfigured: true, phoneE164: '+15550001111', highLevelSmsDnd: sms.sms, highLevelAllDnd: sms.all })).toMatchObject({ allowed: false, code: 'dnd' });
    expect(contactDndFacts({ dnd: true, dndSettings: {} })).toEqual({ all: true, whatsApp: true, sms: true });
    expect(contactDndFacts(null)).toEqual({ all: false, whatsApp: false, sms: false });
  });

  it('writes one channel into the whole map: the other channels go back as they were, only schema fields', () => {
    const current = { SMS: { status: 'active', message: 'STOP', code: '101', extra: 'x' } as never, Email: { status: 'inactive' } };
    expect(withChannelDnd(current, 'WhatsApp', { status: 'active', message: 'Opted out on WhatsApp' })).toEqual({
      SMS: { status: 'active', message: 'STOP', code: '101' },
      Email: { status: 'inactive' },
      WhatsApp: { status: 'active', message: 'Opted out on WhatsApp' },
    });
    expect(withChannelDnd(undefined, 'SMS', { status: 'inactive' })).toEqual({ SMS: { status: 'inactive' } });
  });

  it('never lifts a permanent DND (an opt-in keyword leaves it)', () => {
    const current = { WhatsApp: { status: 'permanent', message: 'set by staff' } };
    expect(withChannelDnd(current, 'WhatsApp', { status: 'inactive' })).toEqual(current);
    expect(withChannelDnd(current, 'WhatsApp', { status: 'active' })).toEqual(current);
  });
});
