import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { vendorJson } from '../support/vendorFixtures';

describe('inboundWorkflowId', () => {
  // Meta's published send response: its wamid is base64 around the recipient's number.
  const wamid = vendorJson<{ messages: Array<{ id: string }> }>('meta_send_response_text.json').messages[0]?.id as string;
  const number = Buffer.from(wamid.slice('wamid.'.length), 'base64').toString('latin1').match(/\d{10,15}/)?.[0] as string;

  it('keeps the sender’s number out of the id of a WhatsApp message’s workflow (ids are plaintext in Temporal)', () => {
    expect(number).toMatch(/^\d{10,15}$/);
    const id = inboundWorkflowId('meta', wamid);
    expect(id).toMatch(/^inbound:meta:[A-Za-z0-9_-]{32}$/);
    expect(id).not.toContain(wamid.slice(6, 20));
    expect(Buffer.from(id.slice('inbound:meta:'.length), 'base64url').toString('latin1')).not.toContain(number);
  });

  it('is the same for every redelivery of a message and differs between messages', () => {
    expect(inboundWorkflowId('meta', wamid)).toBe(inboundWorkflowId('meta', wamid));
    expect(inboundWorkflowId('meta', `${wamid}x`)).not.toBe(inboundWorkflowId('meta', wamid));
  });

  it("keeps Twilio's MessageSid readable: it carries no personal data", () => {
    expect(inboundWorkflowId('twilio', 'SM1f0e8ae6ade43cb3c0ce4525424e404f')).toBe('inbound:twilio:SM1f0e8ae6ade43cb3c0ce4525424e404f');
  });
});
