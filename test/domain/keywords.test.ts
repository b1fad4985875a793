import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, matchKeyword, normalizeKeyword, matchTappedKeyword, type KeywordSettings } from '../../src/domain/keywords';

const defaults: KeywordSettings = { optOutKeywords: [], optInKeywords: [], useDefaultKeywords: true };

describe('matchKeyword', () => {
  it('recognises the carrier opt-out words whatever the case, spacing or punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop. ', 'STOP!!', '¡Stop!', 'stop 🙏', 'Unsubscribe', 'stop all', 'STOPALL', 'Cancel', 'end', 'QUIT']) {
      expect(matchKeyword(text, defaults)).toMatchObject({ action: 'opt_out' });
    }
  });

  it('recognises the usual Spanish, Portuguese, French and German words, with or without accents', () => {
    expect(matchKeyword('Parar', defaults)).toEqual({ action: 'opt_out', keyword: 'PARAR' });
    expect(matchKeyword('baja', defaults)).toEqual({ action: 'opt_out', keyword: 'BAJA' });
    expect(matchKeyword('Arrêt', defaults)).toEqual({ action: 'opt_out', keyword: 'ARRET' });
    expect(matchKeyword('ARRET', defaults)).toEqual({ action: 'opt_out', keyword: 'ARRET' });
    expect(matchKeyword('stopp', defaults)).toEqual({ action: 'opt_out', keyword: 'STOPP' });
    expect(matchKeyword('Sair', defaults)).toEqual({ action: 'opt_out', keyword: 'SAIR' });
    expect(matchKeyword('cancelar', defaults)).toEqual({ action: 'opt_out', keyword: 'CANCELAR' });
    expect(matchKeyword('Désabonner', defaults)).toEqual({ action: 'opt_out', keyword: 'DESABONNER' });
  });

  it('recognises opt-in words', () => {
    for (const text of ['START', 'start', 'Unstop', 'yes!', 'Yes.', 'subscribe', 'Démarrer']) {
      expect(matchKeyword(text, defaults)).toMatchObject({ action: 'opt_in' });
    }
  });

  it('ignores a keyword inside a longer message', () => {
    for (const text of ["Please don't stop sending", 'stop by tomorrow?', 'yes, at 5pm', 'I want to cancel my appointment', '', '   ', '👍']) {
      expect(matchKeyword(text, defaults)).toBeNull();
    }
    expect(matchKeyword(undefined, defaults)).toBeNull();
  });

  it("adds the location's own words, which win over the defaults", () => {
    const custom: KeywordSettings = { optOutKeywords: ['basta ya', 'YES'], optInKeywords: ['Volver'], useDefaultKeywords: true };
    expect(matchKeyword('Basta ya!', custom)).toEqual({ action: 'opt_out', keyword: 'BASTA YA' });
    expect(matchKeyword('volver', custom)).toEqual({ action: 'opt_in', keyword: 'VOLVER' });
    expect(matchKeyword('yes', custom)).toEqual({ action: 'opt_out', keyword: 'YES' });
    expect(matchKeyword('stop', custom)).toEqual({ action: 'opt_out', keyword: 'STOP' });
  });

  it('can turn the defaults off', () => {
    const only: KeywordSettings = { optOutKeywords: ['ALTO'], optInKeywords: [], useDefaultKeywords: false };
    expect(matchKeyword('stop', only)).toBeNull();
    expect(matchKeyword('alto', only)).toEqual({ action: 'opt_out', keyword: 'ALTO' });
  });

  it('has no word in both default lists', () => {
    const optOut = new Set(DEFAULT_OPT_OUT_KEYWORDS.map(normalizeKeyword));
    expect(DEFAULT_OPT_IN_KEYWORDS.map(normalizeKeyword).filter((word) => optOut.has(word))).toEqual([]);
  });
});

describe('normalizeKeyword', () => {
  it('upper-cases, strips accents and punctuation, and collapses spaces', () => {
    expect(normalizeKeyword('  ¡Arrêt,   tout!  ')).toBe('ARRET TOUT');
    expect(normalizeKeyword('opt-out')).toBe('OPT OUT');
  });
});

describe('matchTappedKeyword', () => {
  it("does not take a business's own answer buttons for consent: Cancel (the appointment), Yes, End", () => {
    for (const tapped of ['Cancel', 'Yes', 'End', 'Quit', 'Cancelar']) expect(matchTappedKeyword(tapped, defaults)).toBeNull();
    expect(matchKeyword('Cancel', defaults)).toEqual({ action: 'opt_out', keyword: 'CANCEL' }); // typed, it still opts out
  });

  it("honours Meta's Stop promotions quick reply and the unmistakable words", () => {
    expect(matchTappedKeyword('Stop promotions', defaults)).toEqual({ action: 'opt_out', keyword: 'STOP PROMOTIONS' });
    expect(matchTappedKeyword('STOP', defaults)).toEqual({ action: 'opt_out', keyword: 'STOP' });
    expect(matchTappedKeyword('Start', defaults)).toEqual({ action: 'opt_in', keyword: 'START' });
  });

  it("honours the location's own words, whatever they are", () => {
    expect(matchTappedKeyword('Cancel', { ...defaults, optOutKeywords: ['cancel'] })).toEqual({ action: 'opt_out', keyword: 'CANCEL' });
  });
});
