import { countSmsSegments } from '../../src/domain/smsSegments';

describe('countSmsSegments', () => {
  it('GSM-7: 160 characters in one segment, 153 per part beyond', () => {
    expect(countSmsSegments('')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSmsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSmsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSmsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSmsSegments('a'.repeat(307))).toEqual({ encoding: 'GSM-7', segments: 3 });
  });

  it('GSM-7 extension characters (€ [ ] { } ^ ~ | \\) cost two septets and are never split', () => {
    expect(countSmsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSmsSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', segments: 2 });
    // 152 septets then a two-septet €: it does not fit the first part's 153 and moves on whole.
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', segments: 3 });
    expect(countSmsSegments('Hi Ana, your appointment is on May 3 at 10:00. Reply STOP to opt out; £5 deposit ¿ok?')).toEqual({ encoding: 'GSM-7', segments: 1 });
  });

  it('UCS-2 as soon as one character is outside GSM-7: 70 units, 67 per part, emoji are two units and never split', () => {
    expect(countSmsSegments('ç'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments(`${'a'.repeat(159)}ç`)).toEqual({ encoding: 'UCS-2', segments: 3 });
    expect(countSmsSegments('Olá! 😀')).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1 });
    // 36 emoji = 72 units: 33 fit a 67-unit part (66 units), the rest go to the second.
    expect(countSmsSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments(`${'a'.repeat(66)}😀${'a'.repeat(10)}`)).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments(`${'a'.repeat(66)}😀${'a'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', segments: 3 });
  });
});
