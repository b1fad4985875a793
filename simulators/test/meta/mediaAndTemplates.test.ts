import { request } from 'undici';
import crypto from 'node:crypto';
import { ACCOUNT, OTHER_ACCOUNT, USER, expectGraphError, graph, send, simulator, startSimulator, useMetaSimulator, type Json } from './support';

/** Meta simulator contract tests: message templates (sending and listing) and media lookup/download. */

useMetaSimulator();

describe('templates', () => {
  const template = (name: string, language: string, overrides: Json = {}) => ({
    messaging_product: 'whatsapp',
    to: USER,
    type: 'template',
    template: { name, language: { code: language }, ...overrides },
  });

  beforeEach(async () => {
    await startSimulator({ webhookUrl: undefined });
    simulator.upsertTemplate(ACCOUNT.wabaId, {
      name: 'order_update',
      language: 'en_US',
      components: [{ type: 'HEADER', format: 'TEXT', text: 'Order news' }, { type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.' }],
    });
    simulator.upsertTemplate(ACCOUNT.wabaId, {
      name: 'welcome',
      language: 'en',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [{ type: 'BODY', text: 'Hi {{first_name}}, use {{discount_code}}' }],
    });
  });

  it('accepts an approved template with matching parameters and reports message_status accepted', async () => {
    const positional = await send(
      template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '42' }] }] }),
    );
    expect(positional.status).toBe(200);
    expect(positional.body.messages).toEqual([{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }]);
    const named = await send(
      template('welcome', 'en', {
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
              { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
            ],
          },
        ],
      }),
    );
    expect(named.status).toBe(200);
  });

  it('rejects unknown templates (132001), parameter mismatches (132000) and paused/disabled ones', async () => {
    const unknown = await send(template('no_such_template', 'en_US'));
    expectGraphError(unknown, 404, 132001);
    expect(unknown.body.error.error_data.details).toContain('no_such_template');
    expectGraphError(await send(template('order_update', 'pt_BR')), 404, 132001);
    expectGraphError(await send(template('order_update', 'en_US', { language: {} })), 400, 131008);

    const oneParam = await send(template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }] }));
    expectGraphError(oneParam, 400, 132000);
    expect(oneParam.body.error.error_data.details).toContain('(1)');
    expectGraphError(await send(template('order_update', 'en_US')), 400, 132000);
    const wrongName = await send(
      template('welcome', 'en', {
        components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'J' }, { type: 'text', parameter_name: 'code', text: 'W' }] }],
      }),
    );
    expectGraphError(wrongName, 400, 132000);

    const valid = template('order_update', 'en_US', { components: [{ type: 'body', parameters: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }] });
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'PAUSED');
    expectGraphError(await send(valid), 400, 132015);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'DISABLED');
    expectGraphError(await send(valid), 400, 132016);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'PENDING');
    expectGraphError(await send(valid), 404, 132001);
    simulator.setTemplateStatus(ACCOUNT.wabaId, 'order_update', 'en_US', 'APPROVED');
    expect((await send(valid)).status).toBe(200);
    // Templates belong to a WABA: the other account's number cannot use them.
    const foreign = await send(valid, { token: OTHER_ACCOUNT.accessToken, phoneNumberId: OTHER_ACCOUNT.phoneNumberId });
    expectGraphError(foreign, 404, 132001);
    expect(simulator.sentMessages).toHaveLength(1);
  });

  it('lists templates in cursor pages with a full next URL that is absent on the last page', async () => {
    for (let i = 0; i < 28; i += 1) {
      simulator.upsertTemplate(ACCOUNT.wabaId, { name: `bulk_${String(i).padStart(2, '0')}`, language: 'en_US', components: [] });
    }
    const defaultPage = await graph('GET', `/${ACCOUNT.wabaId}/message_templates`);
    expect(defaultPage.body.data).toHaveLength(25);

    const first = await graph('GET', `/${ACCOUNT.wabaId}/message_templates?limit=20`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(20);
    expect(first.body.data[0]).toEqual({
      name: 'order_update',
      parameter_format: 'POSITIONAL',
      components: expect.any(Array),
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      id: expect.stringMatching(/^\d+$/),
    });
    expect(first.body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    const next = first.body.paging.next as string;
    expect(next.startsWith(`${simulator.baseUrl}/${ACCOUNT.wabaId}/message_templates?`)).toBe(true);

    const secondResponse = await fetch(next, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    const second = (await secondResponse.json()) as Json;
    expect(second.data).toHaveLength(10);
    expect(second.paging.next).toBeUndefined();
    const names = [...first.body.data, ...second.data].map((t: Json) => t.name);
    expect(new Set(names).size).toBe(30);

    expectGraphError(await graph('GET', `/${ACCOUNT.wabaId}/message_templates`, { token: OTHER_ACCOUNT.accessToken }), 401, 190);
  });
});

describe('media', () => {
  it('round-trips bytes through the metadata lookup and the bearer-protected URL', async () => {
    await startSimulator();
    const bytes = crypto.randomBytes(5000);
    const mediaId = simulator.addMedia({ bytes, mimeType: 'image/png' });
    const lookup = await graph('GET', `/${mediaId}`, { token: OTHER_ACCOUNT.accessToken });
    expect(lookup.body).toEqual({
      messaging_product: 'whatsapp',
      url: `${simulator.origin}/_media/${mediaId}`,
      mime_type: 'image/png',
      sha256: crypto.createHash('sha256').update(bytes).digest('base64'),
      file_size: 5000,
      id: mediaId,
    });
    const download = await fetch(lookup.body.url, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    expect((await fetch(lookup.body.url)).status).toBe(401);
    expectGraphError(await graph('GET', `/${mediaId}`, { token: 'nope' }), 401, 190);
    const missing = await graph('GET', '/123456789');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(100);
    const missingDownload = await fetch(`${simulator.origin}/_media/123456789`, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(missingDownload.status).toBe(404);
  });

  it('answers an HTML page without a User-Agent, and serves injected bad downloads (HTML page, truncated file) once each', async () => {
    await startSimulator();
    const bytes = crypto.randomBytes(4000);
    const mediaId = simulator.addMedia({ bytes, mimeType: 'image/jpeg' });
    const url = `${simulator.origin}/_media/${mediaId}`;
    const withAgent = { authorization: `Bearer ${ACCOUNT.accessToken}`, 'user-agent': 'test-client/1.0' };
    const bare = await request(url, { headers: { authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(bare.statusCode).toBe(200);
    expect(bare.headers['content-type']).toMatch(/^text\/html/);
    await bare.body.dump();

    simulator.serveBadMediaDownloads(1, 'html');
    simulator.serveBadMediaDownloads(1, 'truncated');
    const page = await fetch(url, { headers: withAgent });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.arrayBuffer();
    const truncated = await fetch(url, { headers: withAgent });
    expect(truncated.headers.get('content-type')).toBe('image/jpeg');
    expect((await truncated.arrayBuffer()).byteLength).toBe(2000);
    const good = await fetch(url, { headers: withAgent });
    expect(Buffer.from(await good.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
