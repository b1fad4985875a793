/**
 * How many SMS segments a text takes (what carriers and Twilio bill per): GSM-7 when every character is in the GSM
 * 03.38 default alphabet or its extension table (which costs two septets), else UCS-2. One segment holds 160 septets
 * (70 UTF-16 units); a longer text is split into parts of 153 septets (67 units), the rest being the concatenation
 * header. A part never splits an escape sequence or a surrogate pair, so a character that does not fit starts the next part.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  segments: number;
}

const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** Septets (GSM-7) or UTF-16 units (UCS-2) of each character, in order. */
function characterSizes(text: string): { encoding: SmsEncoding; sizes: number[] } {
  const characters = [...text];
  if (characters.every((char) => GSM_BASIC.has(char) || GSM_EXTENDED.has(char))) {
    return { encoding: 'GSM-7', sizes: characters.map((char) => (GSM_EXTENDED.has(char) ? 2 : 1)) };
  }
  return { encoding: 'UCS-2', sizes: characters.map((char) => char.length) };
}

/** An empty text (media only) is one message. */
export function countSmsSegments(text: string): SmsSegmentCount {
  const { encoding, sizes } = characterSizes(text);
  const { single, part } = LIMITS[encoding];
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= single) return { encoding, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments };
}
