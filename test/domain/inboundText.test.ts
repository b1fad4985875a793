import { describeInbound, describeUnattachedMedia, formatBytes, inboundMessageBody } from '../../src/domain/inboundText';

describe('describeInbound', () => {
  it('passes text through and uses captions for media (the file travels as an attachment)', () => {
    expect(describeInbound({ type: 'text', body: 'Does it come in another color?' })).toBe('Does it come in another color?');
    expect(describeInbound({ type: 'image', caption: ' Taj Mahal ' })).toBe('Taj Mahal');
    expect(describeInbound({ type: 'audio', voice: true })).toBe('');
    expect(describeInbound({ type: 'document', filename: 'invoice.pdf', caption: 'Paid' })).toBe('Paid');
  });

  it('gives button and list replies as the text the person tapped', () => {
    expect(describeInbound({ type: 'button', text: 'Unsubscribe', payload: 'UNSUB_1' })).toBe('Unsubscribe');
    expect(describeInbound({ type: 'button', text: '', payload: 'CONFIRM' })).toBe('CONFIRM');
    expect(describeInbound({ type: 'interactive', replyType: 'button_reply', id: 'change-button', title: 'Change' })).toBe('Change');
    expect(describeInbound({ type: 'interactive', replyType: 'list_reply', id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' })).toBe(
      'Priority Mail Express (Next Day to 2 Days)',
    );
    expect(describeInbound({ type: 'interactive', replyType: 'nfm_reply', title: 'Booking' })).toBe('[Submitted a WhatsApp form: Booking]');
  });

  it('describes reactions, locations, contact cards and orders in words', () => {
    expect(describeInbound({ type: 'reaction', emoji: '👍', messageId: 'wamid.X' })).toBe('[Reacted 👍 to a message]');
    expect(describeInbound({ type: 'reaction' })).toBe('[Removed a reaction]');
    expect(describeInbound({ type: 'location', latitude: 27.1751, longitude: 78.0421, name: 'Taj Mahal', address: 'Agra' })).toBe(
      '[Shared a location] Taj Mahal, Agra https://maps.google.com/?q=27.1751,78.0421',
    );
    expect(describeInbound({ type: 'contacts', contacts: [{ name: 'Sheena Nelson', phones: ['+16505551234'], emails: ['sheena@example.com'] }] })).toBe(
      '[Shared a contact] Sheena Nelson +16505551234 sheena@example.com',
    );
    expect(describeInbound({ type: 'contacts', contacts: [{ phones: ['+1'], emails: [] }, { name: 'B', phones: [], emails: [] }] })).toBe('[Shared 2 contacts] Unnamed contact +1; B');
    expect(describeInbound({ type: 'order', itemCount: 3, note: 'Gift wrap' })).toBe('[Sent an order with 3 items] Gift wrap');
  });

  it('says when WhatsApp sent something it cannot show', () => {
    expect(describeInbound({ type: 'unsupported', originalType: 'unsupported', details: 'Message type is currently not supported.' })).toBe(
      '[Unsupported WhatsApp message: open WhatsApp to view it. Message type is currently not supported.]',
    );
    expect(describeInbound({ type: 'unsupported', originalType: 'poll' })).toBe('[Unsupported WhatsApp message (poll): open WhatsApp to view it]');
    expect(describeInbound({ type: 'system', body: 'User Sheena changed from 1 to 2' })).toBe('[WhatsApp notice] User Sheena changed from 1 to 2');
  });
});

describe('placeholders for files HighLevel cannot take', () => {
  it('names the type, the size and why', () => {
    expect(describeUnattachedMedia('video', { reason: 'too_large', sizeBytes: 12.4 * 1024 * 1024, mimeType: 'video/mp4' })).toBe(
      '[Video (video/mp4, 12.4 MB): too large to attach in HighLevel; open WhatsApp to view it]',
    );
    expect(describeUnattachedMedia('sticker', { reason: 'type_not_allowed', sizeBytes: 20_480, mimeType: 'image/webp' })).toBe(
      '[Sticker (image/webp, 20 KB): this file type cannot be attached in HighLevel; open WhatsApp to view it]',
    );
    expect(describeUnattachedMedia('audio', { reason: 'unavailable', mimeType: 'audio/ogg; codecs=opus' })).toBe(
      '[Audio (audio/ogg): the file could not be downloaded from WhatsApp; open WhatsApp to view it]',
    );
  });

  it('formats sizes for people', () => {
    expect([512, 2048, 5 * 1024 * 1024].map(formatBytes)).toEqual(['512 B', '2 KB', '5.0 MB']);
  });

  it('puts placeholders under the text', () => {
    expect(inboundMessageBody('See attached', ['[Video: too large]'])).toBe('See attached\n[Video: too large]');
    expect(inboundMessageBody('', ['[Video: too large]'])).toBe('[Video: too large]');
    expect(inboundMessageBody('  ', [])).toBe('');
  });
});
