import { mirrorsSmsKeyword, smsKeyword } from '../../src/domain/smsKeywords';

describe('smsKeyword', () => {
  it("recognises Twilio's one-word SMS opt-out keywords whatever the case or surrounding punctuation", () => {
    for (const text of ['STOP', 'stop', ' Stop. ', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'End', 'quit!']) {
      expect(smsKeyword(text)).toMatchObject({ action: 'opt_out' });
    }
    expect(smsKeyword('stop')).toEqual({ action: 'opt_out', keyword: 'STOP' });
  });

  it("recognises Twilio's opt-in keywords START, YES and UNSTOP", () => {
    expect(['start', 'Yes', 'UNSTOP'].map(smsKeyword)).toEqual([
      { action: 'opt_in', keyword: 'START' },
      { action: 'opt_in', keyword: 'YES' },
      { action: 'opt_in', keyword: 'UNSTOP' },
    ]);
  });

  it('ignores longer messages and words Twilio does not act on (other languages, WhatsApp-only words)', () => {
    for (const text of ['STOP PLEASE', 'please cancel', 'C', 'yes, at 5pm', 'Baja', 'Parar', 'OPT OUT', 'subscribe', '', '   ', null, undefined]) {
      expect(smsKeyword(text)).toBeNull();
    }
  });
});

describe('mirrorsSmsKeyword', () => {
  const stop = { action: 'opt_out' as const, keyword: 'STOP' };
  const start = { action: 'opt_in' as const, keyword: 'START' };

  it('mirrors every opt-out, even a repeated one', () => {
    expect(mirrorsSmsKeyword(stop, null)).toBe(true);
    expect(mirrorsSmsKeyword(stop, 'opt_out')).toBe(true);
  });

  it('mirrors an opt-in only when it undoes an SMS opt-out', () => {
    expect(mirrorsSmsKeyword(start, 'opt_out')).toBe(true);
    expect(mirrorsSmsKeyword(start, null)).toBe(false);
    expect(mirrorsSmsKeyword({ action: 'opt_in', keyword: 'YES' }, 'opt_in')).toBe(false);
  });

  it('mirrors nothing for an ordinary message', () => {
    expect(mirrorsSmsKeyword(null, 'opt_out')).toBe(false);
  });
});
