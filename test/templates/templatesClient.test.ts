import { MetaTemplatesClient, TemplateListError } from '../../src/providers/meta/templatesClient';
import { MetaSimulator } from '@ghl-whatsapp/simulators';

const account = { accessToken: 'tok-templates', wabaId: 'waba-777', phoneNumberId: 'pn-777', displayPhoneNumber: '15550007777' };
let meta: MetaSimulator;

beforeAll(async () => {
  meta = await MetaSimulator.start({ appSecret: 'secret', accounts: [account] });
  for (let i = 0; i < 230; i += 1) {
    meta.upsertTemplate(account.wabaId, { name: `t_${String(i).padStart(3, '0')}`, language: 'en_US', components: [{ type: 'BODY', text: `Template ${i} for {{1}}` }] });
  }
});
afterAll(async () => {
  await meta?.stop();
});

describe('MetaTemplatesClient (GET /{waba-id}/message_templates)', () => {
  it('sends the exact first request: fields, page size and the bearer token', async () => {
    meta.requests.length = 0;
    await new MetaTemplatesClient(meta.baseUrl, account.accessToken).listAll(account.wabaId);
    const first = meta.requests[0];
    expect(first).toMatchObject({
      method: 'GET',
      path: `/${meta.apiVersion}/waba-777/message_templates`,
      query: { fields: 'id,name,language,status,category,parameter_format,components', limit: '100' },
    });
    expect(first?.headers.authorization).toBe('Bearer tok-templates');
    expect(first?.rawBody).toBe('');
  });

  it('follows paging.next through every page and returns every template once', async () => {
    meta.requests.length = 0;
    const templates = await new MetaTemplatesClient(meta.baseUrl, account.accessToken).listAll(account.wabaId);
    expect(templates).toHaveLength(230);
    expect(new Set(templates.map((t) => t.name)).size).toBe(230);
    expect(templates[0]).toMatchObject({ name: 't_000', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Template 0 for {{1}}' }] });
    expect(meta.requests.map((request) => request.query.after === undefined)).toEqual([true, false, false]);
    expect(meta.requests.every((request) => request.headers.authorization === 'Bearer tok-templates')).toBe(true);
  });

  it('turns a Graph error into a non-retryable TemplateListError with the code', async () => {
    const error = await new MetaTemplatesClient(meta.baseUrl, 'wrong-token').listAll(account.wabaId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateListError);
    expect(error).toMatchObject({ code: 190, httpStatus: 401, retryable: false, message: expect.stringContaining('waba-777') });
  });
});
