import { buildOutboundParts, mediaTypeForUrl, chunkText } from '../../src/domain/outboundContent';
import { normalizePhone } from '../../src/domain/phone';

describe('buildOutboundParts', () => {
  it('sends plain text with preview only when it has a link', () => {
    expect(buildOutboundParts('Hello', [])).toEqual([{ kind: 'text', body: 'Hello', previewUrl: false }]);
    expect(buildOutboundParts('See https://example.com/x', [])).toEqual([{ kind: 'text', body: 'See https://example.com/x', previewUrl: true }]);
  });

  it('puts the text as the caption of the first captionable attachment', () => {
    const parts = buildOutboundParts('Your invoice', ['https://cdn.example.com/voice.ogg', 'https://cdn.example.com/files/Invoice%2042.pdf']);
    expect(parts).toEqual([
      { kind: 'media', mediaType: 'audio', link: 'https://cdn.example.com/voice.ogg' },
      { kind: 'media', mediaType: 'document', link: 'https://cdn.example.com/files/Invoice%2042.pdf', caption: 'Your invoice', filename: 'Invoice 42.pdf' },
    ]);
  });

  it('sends the text separately when only audio is attached or it is too long for a caption', () => {
    expect(buildOutboundParts('Listen', ['https://x.test/a.mp3'])[0]).toEqual({ kind: 'text', body: 'Listen', previewUrl: false });
    const long = 'a'.repeat(1500);
    const parts = buildOutboundParts(long, ['https://x.test/photo.jpg']);
    expect(parts.map((part) => part.kind)).toEqual(['text', 'media']);
  });

  it('sends .webp as a sticker (no caption), the only way Meta and Twilio take image/webp; runs recorded before keep it an image', () => {
    expect(buildOutboundParts('Thanks!', ['https://cdn.example.com/smile.webp', 'https://cdn.example.com/x.png'], { stickers: true })).toEqual([
      { kind: 'media', mediaType: 'sticker', link: 'https://cdn.example.com/smile.webp' },
      { kind: 'media', mediaType: 'image', link: 'https://cdn.example.com/x.png', caption: 'Thanks!' },
    ]);
    expect(buildOutboundParts('Thanks!', ['https://cdn.example.com/smile.webp'])).toEqual([
      { kind: 'media', mediaType: 'image', link: 'https://cdn.example.com/smile.webp', caption: 'Thanks!' },
    ]);
  });

  it('returns nothing for an empty message', () => {
    expect(buildOutboundParts('   ', [])).toEqual([]);
  });

  it('maps extensions to WhatsApp media types, defaulting to document', () => {
    expect(['a.PNG', 'b.mp4', 'c.m4a', 'd.zip', 'https://x.test/e?x=1'].map(mediaTypeForUrl)).toEqual(['image', 'video', 'audio', 'document', 'document']);
    // Twilio: outbound OGG with the opus codec "may have the .ogg or the .opus extension"; image/webp is for stickers only.
    expect(['voice.opus', 'voice.ogg', 'smile.webp'].map(mediaTypeForUrl)).toEqual(['audio', 'audio', 'sticker']);
  });

  it('splits long text at word boundaries within the limit', () => {
    const text = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkText(text);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.length <= 4096)).toBe(true);
    expect(chunks.join(' ')).toBe(text);
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+15864603685', 'US', '+15864603685'],
    ['(586) 460-3685', 'US', '+15864603685'],
    ['0612345678', 'NL', '+31612345678'],
    ['+44 7911 123456', 'US', '+447911123456'],
  ])('%s (%s) → %s', (raw, country, e164) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, e164 });
  });

  it.each([[''], ['hello'], ['+1555'], ['+1 000 000 0000']])('rejects %j with a reason', (raw) => {
    const result = normalizePhone(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(/phone number/);
  });
});
