import { buildComponents, type ParameterValues } from '../../src/domain/templateComponents';
import type { TwilioContent } from '../../src/providers/twilio/contentTemplates';
import { twilioContentVariables } from '../../src/providers/twilio/contentVariables';
import type { ContentInput } from '@ghl-whatsapp/simulators';
import { syncedContent } from '../support/twilioContent';
import { vendorJson } from '../support/vendorFixtures';

/** The pure mapping from a template message (as the decision builds it) to a Content template's ContentVariables. */

const SID = 'HX' + 'e'.repeat(32);

/** The ContentVariables for a content, with the parameters the template decision would find. */
function variablesFor(content: ContentInput, values: ParameterValues, attachments: string[] = []) {
  const { template } = syncedContent(SID, content);
  const built = buildComponents(template, values, { text: '', attachments });
  if (!built.ok) throw new Error(built.reason);
  return twilioContentVariables({ name: template.name, language: template.language, category: template.category, components: built.components }, template);
}

const approved = (name: string) => ({ status: 'approved' as const, category: 'UTILITY', name });

describe('twilioContentVariables', () => {
  it("keeps the published 'Video Highlights' content's keys: body {{1}} {{2}}, media URL {{3}} from the attachment", () => {
    const published = vendorJson<{ contents: TwilioContent[] }>('twilio_content_and_approvals_list.json').contents[2]!;
    const content: ContentInput = {
      friendlyName: published.friendly_name ?? '',
      language: published.language ?? '',
      variables: published.variables as Record<string, string>,
      types: published.types ?? {},
      approval: approved('video_highlights'),
    };
    expect(variablesFor(content, { body: { '1': 'Ana', '2': 'the X-ray' } }, ['http://example.com/highlights/ana.mp4'])).toEqual({
      ok: true,
      variables: { '1': 'Ana', '2': 'the X-ray', '3': 'ana.mp4' },
    });
    // No video attached: the media variable is left to the content's sample ({"3": "small.mp4"}), which Twilio falls back to.
    expect(variablesFor(content, { body: { '1': 'Ana', '2': 'the X-ray' } })).toEqual({ ok: true, variables: { '1': 'Ana', '2': 'the X-ray' } });
  });

  it('uses the content keys even when they are not numbered body first (1 and 3 in the body, 2 in the media URL)', () => {
    const content: ContentInput = {
      friendlyName: 'receipt',
      language: 'en',
      variables: { '1': 'name', '2': 'r-1.pdf', '3': 'May 3' },
      types: { 'twilio/media': { body: 'Hi {{1}}, your receipt of {{3}}.', media: ['https://files.example.com/r/{{2}}'] } },
      approval: approved('receipt'),
    };
    expect(variablesFor(content, { body: { '1': 'Ana', '3': 'May 4' } }, ['https://files.example.com/r/ana-9.pdf'])).toEqual({
      ok: true,
      variables: { '1': 'Ana', '2': 'ana-9.pdf', '3': 'May 4' },
    });
  });

  it('keeps named keys and fills a URL button variable with the link suffix', () => {
    const named: ContentInput = { friendlyName: 'hello', language: 'en', types: { 'twilio/text': { body: 'Hello {{first_name}}, code {{code}}' } }, approval: approved('hello') };
    expect(variablesFor(named, { body: { first_name: 'Ana', code: '42' } })).toEqual({ ok: true, variables: { first_name: 'Ana', code: '42' } });

    const pay: ContentInput = {
      friendlyName: 'pay',
      language: 'en',
      types: { 'twilio/call-to-action': { body: 'Invoice {{1}} is due', actions: [{ type: 'URL', title: 'Pay', url: 'https://pay.example.com/i/{{2}}' }] } },
      approval: approved('pay'),
    };
    const { template } = syncedContent(SID, pay);
    const built = buildComponents(template, { body: { '1': 'A-17' } }, { text: 'Pay at https://pay.example.com/i/x9Z.', attachments: [] });
    if (!built.ok) throw new Error(built.reason);
    expect(twilioContentVariables({ name: 'pay', language: 'en', category: 'UTILITY', components: built.components }, template)).toEqual({
      ok: true,
      variables: { '1': 'A-17', '2': 'x9Z' },
    });
  });

  it('refuses a link that a fixed media URL cannot carry, naming both', () => {
    const fixed: ContentInput = { friendlyName: 'menu', language: 'en', types: { 'twilio/media': { body: 'Our menu', media: ['https://example.com/menu.pdf'] } }, approval: approved('menu') };
    expect(variablesFor(fixed, { body: {} })).toEqual({ ok: true, variables: {} });
    expect(variablesFor(fixed, { body: {} }, ['https://cdn.example.org/other.pdf'])).toEqual({
      ok: false,
      reason: 'the Twilio content of template menu/en has the media URL https://example.com/menu.pdf, which cannot carry https://cdn.example.org/other.pdf',
    });
  });
});
