import { isWindowOpen } from '../../src/domain/conversationWindow';
import { consentAllows } from '../../src/domain/consent';
import { decideDelivery, type DecisionFacts } from '../../src/domain/deliveryDecision';

const open: DecisionFacts = {
  phoneE164: '+15864603685',
  senderPausedReason: null,
  consent: 'unknown',
  highLevelWhatsAppDnd: false,
  windowOpen: true,
  treatUnknownConsentAsOptedIn: false,
};

describe('isWindowOpen: the 24-hour customer-service window', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  it.each([
    [null, false],
    ['2026-11-21T11:59:00Z', true],
    ['2026-11-20T12:00:01Z', true],
    ['2026-11-20T12:00:00Z', false],
    ['2026-11-20T11:00:00Z', false],
  ])('last inbound %s → %s', (last, expected) => {
    expect(isWindowOpen(last, now)).toBe(expected);
  });
});

describe('consentAllows', () => {
  it('never sends to an opt-out, even inside the window', () => {
    expect(consentAllows('opted_out', true, true)).toEqual({ allowed: false, reason: 'contact opted out of WhatsApp' });
  });
  it('allows replies inside the window without an opt-in', () => {
    expect(consentAllows('unknown', true, false)).toEqual({ allowed: true });
  });
  it('requires an opt-in for business-initiated messages unless the location accepts unknown', () => {
    expect(consentAllows('unknown', false, false).allowed).toBe(false);
    expect(consentAllows('unknown', false, true).allowed).toBe(true);
    expect(consentAllows('opted_in', false, false).allowed).toBe(true);
  });
});

describe('decideDelivery', () => {
  it('sends free text inside the window', () => {
    expect(decideDelivery(open)).toEqual({ action: 'free_text' });
  });
  it.each<[Partial<DecisionFacts>, string]>([
    [{ phoneE164: null, phoneProblem: 'the phone number is not valid for its country' }, 'invalid_phone'],
    [{ senderPausedReason: 'WhatsApp error 131048' }, 'sender_paused'],
    [{ consent: 'opted_out' }, 'opted_out'],
    [{ highLevelWhatsAppDnd: true }, 'dnd'],
    [{ windowOpen: false }, 'no_opt_in'],
    [{ windowOpen: false, consent: 'opted_in' }, 'window_closed'],
  ])('%j → skip %s', (change, code) => {
    const decision = decideDelivery({ ...open, ...change });
    expect(decision).toMatchObject({ action: 'skip', code });
  });
  it('names the window rule in its reason', () => {
    expect(decideDelivery({ ...open, windowOpen: false, consent: 'opted_in' })).toEqual({
      action: 'skip',
      code: 'window_closed',
      reason: 'outside the 24-hour window and no approved template',
    });
  });
});
