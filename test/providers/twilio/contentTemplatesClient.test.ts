import { TemplateListError } from '../../../src/providers/meta/templatesClient';
import { contentAsTemplate, type TwilioContent } from '../../../src/providers/twilio/contentTemplates';
import { vendorJson } from '../../support/vendorFixtures';
import { TwilioContentTemplatesClient, contentApiBaseUrl } from '../../../src/providers/twilio/contentTemplatesClient';
import { TwilioSimulator, type TwilioAccount } from '@ghl-whatsapp/simulators';

const ACCOUNT: TwilioAccount = { accountSid: 'AC' + 'b'.repeat(32), authToken: 'content_test_token' };
const BASIC_AUTH = `Basic ${Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64')}`;

let sim: TwilioSimulator;
let reminderSid: string;
beforeAll(async () => {
  sim = await TwilioSimulator.start({ accounts: [ACCOUNT] });
  reminderSid = sim.addContent({
    friendlyName: 'reminder_v2',
    language: 'en_US',
    types: { 'twilio/text': { body: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' } },
    approval: { status: 'approved', category: 'UTILITY', name: 'appointment_reminder' },
  });
  sim.addContent({ friendlyName: 'sms_only', language: 'en', types: { 'twilio/text': { body: 'Not a WhatsApp template' } } });
  for (let i = 0; i < 219; i += 1) {
    sim.addContent({
      friendlyName: `promo_${String(i).padStart(3, '0')}`,
      language: 'es',
      types: { 'twilio/text': { body: `Oferta ${i} para {{first_name}}` } },
      approval: { status: i % 2 === 0 ? 'approved' : 'pending', category: 'MARKETING' },
    });
  }
});
afterAll(async () => {
  await sim?.stop();
});

const client = (account: TwilioAccount = ACCOUNT) => new TwilioContentTemplatesClient(sim.baseUrl, account);

describe('TwilioContentTemplatesClient (GET /v1/ContentAndApprovals)', () => {
  it('sends the exact first request: path, page size and Basic auth, no body', async () => {
    sim.requests.length = 0;
    await client().listAll(ACCOUNT.accountSid);
    expect(sim.requests[0]).toMatchObject({ method: 'GET', path: '/v1/ContentAndApprovals', query: { PageSize: '100' }, rawBody: '' });
    expect(sim.requests[0]?.headers.authorization).toBe(BASIC_AUTH);
  });

  it('follows next_page_url through every page, keeps the ContentSid and skips content never submitted to WhatsApp', async () => {
    sim.requests.length = 0;
    const templates = await client().listAll(ACCOUNT.accountSid);
    expect(sim.requests.map((request) => request.query.PageToken === undefined)).toEqual([true, false, false]);
    expect(sim.requests.every((request) => request.headers.authorization === BASIC_AUTH)).toBe(true);
    expect(templates).toHaveLength(220);
    expect(templates.find((template) => template.name === 'sms_only')).toBeUndefined();
    expect(templates[0]).toEqual({
      id: reminderSid,
      name: 'appointment_reminder',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}} at {{3}}.' }],
    });
    expect(templates[2]).toMatchObject({ name: 'promo_001', language: 'es', status: 'PENDING', category: 'MARKETING', parameter_format: 'NAMED' });
  });

  it('turns a refused credential into a non-retryable TemplateListError with the code', async () => {
    const error = await client({ ...ACCOUNT, authToken: 'wrong' })
      .listAll(ACCOUNT.accountSid)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateListError);
    expect(error).toMatchObject({ code: 20003, httpStatus: 401, retryable: false });
  });

  it('calls content.twilio.com in production, the configured base elsewhere', () => {
    expect(contentApiBaseUrl('https://api.twilio.com')).toBe('https://content.twilio.com');
    expect(contentApiBaseUrl('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
  });
});

describe('Content templates as registry rows', () => {
  it('maps quick replies, call-to-action buttons, media headers and cards onto Meta components', () => {
    const approval = { name: 'visit', status: 'approved', category: 'utility' };
    const row = (types: Record<string, unknown>, contentType?: string) =>
      contentAsTemplate({ sid: 'HX' + '1'.repeat(32), language: 'en', types, approval_requests: { ...approval, ...(contentType ? { content_type: contentType } : {}) } })?.components;

    expect(row({ 'twilio/quick-reply': { body: 'Coming on {{1}}?', actions: [{ title: 'Yes', id: 'yes' }, { title: 'No', id: 'no' }] } })).toEqual([
      { type: 'BODY', text: 'Coming on {{1}}?' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'QUICK_REPLY', text: 'No' }] },
    ]);
    expect(row({ 'twilio/call-to-action': { body: 'Pay invoice {{1}}', actions: [{ type: 'URL', title: 'Pay', url: 'https://pay.example.com/{{2}}' }] } })).toEqual([
      { type: 'BODY', text: 'Pay invoice {{1}}' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Pay', url: 'https://pay.example.com/{{2}}' }] },
    ]);
    expect(row({ 'twilio/media': { body: 'Your receipt', media: ['https://cdn.example.com/r/{{1}}.pdf'] } })).toEqual([
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['https://cdn.example.com/r/{{1}}.pdf'] }, content_media_url: 'https://cdn.example.com/r/{{1}}.pdf' },
      { type: 'BODY', text: 'Your receipt' },
    ]);
    // The type WhatsApp approved wins over the others; a card's title is the body, its subtitle the footer.
    expect(row({ 'twilio/text': { body: 'plain' }, 'twilio/card': { title: 'See you {{1}}', subtitle: 'Sunny Dental', media: ['https://cdn.example.com/a.jpg'] } }, 'twilio/card')).toEqual([
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://cdn.example.com/a.jpg'] }, content_media_url: 'https://cdn.example.com/a.jpg' },
      { type: 'BODY', text: 'See you {{1}}' },
      { type: 'FOOTER', text: 'Sunny Dental' },
    ]);
  });

  it('maps approval statuses and categories onto Meta names, friendly name when WhatsApp has none', () => {
    const template = (status: string, name?: string) =>
      contentAsTemplate({ sid: 'HX' + '2'.repeat(32), friendly_name: 'friendly', language: 'pt_BR', types: { 'twilio/text': { body: 'Oi' } }, approval_requests: { status, name, category: 'marketing' } });
    expect(['approved', 'received', 'pending', 'rejected', 'paused', 'disabled'].map((status) => template(status)?.status)).toEqual([
      'APPROVED', 'PENDING', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED',
    ]);
    expect(template('approved')).toMatchObject({ name: 'friendly', category: 'MARKETING' });
    expect(template('approved', 'oi_template')).toMatchObject({ name: 'oi_template' });
    expect(template('unsubmitted')).toBeUndefined();
  });

  it("reads Twilio's published ContentAndApprovals page: flat approval_requests, media kind from the variable's sample", () => {
    const page = vendorJson<{ contents: TwilioContent[] }>('twilio_content_and_approvals_list.json');
    const rows = page.contents.map(contentAsTemplate);
    expect(rows[0]).toBeUndefined(); // unsubmitted: no WhatsApp template
    expect(rows[1]).toEqual({
      id: 'HX5fcd48a417c1cb59da349ad6d5da4607',
      name: 'Media Test',
      language: 'en',
      status: 'APPROVED',
      category: 'TRANSACTIONAL',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['https://example.com/template'] }, content_media_url: 'https://example.com/template' },
        { type: 'BODY', text: '{{1}}, Congratulations {{2}}! For additional assistance, please contact us at hello@twilio.com' },
      ],
    });
    // "http://example.com/highlights/{{3}}" with the sample {"3": "small.mp4"} is a video; the URL keeps {{3}} for the send.
    expect(rows[2]).toMatchObject({
      name: 'Video Highlights',
      status: 'REJECTED',
      components: [{ type: 'HEADER', format: 'VIDEO', example: { header_handle: ['http://example.com/highlights/{{3}}'] } }, { type: 'BODY' }],
    });
  });
});
