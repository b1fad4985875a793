import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HighLevelApiError, HighLevelClient } from '../../../src/providers/highlevel/highLevelClient';

/**
 * The exact requests HighLevelClient sends (method, path, query, Version header, token, body), as Novu's provider
 * specs assert them, against a loopback recorder that answers what HighLevel's API documents.
 */
interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let baseUrl: string;
const requests: Recorded[] = [];
let answer: (request: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> } = () => ({ status: 200, body: {} });
const tokensAsked: Array<{ forceRefresh?: boolean }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      requests.push(recorded);
      const { status, body: answerBody, headers } = answer(recorded);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(answerBody === undefined ? '' : JSON.stringify(answerBody));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
  tokensAsked.length = 0;
  answer = () => ({ status: 200, body: {} });
});

const client = () =>
  new HighLevelClient(baseUrl, async (_locationId, options) => {
    tokensAsked.push(options ?? {});
    return options?.forceRefresh ? 'fresh-token' : 'stored-token';
  });
const sent = (index = 0) => {
  const request = requests[index] as Recorded;
  return { method: request.method, url: request.url, version: request.headers.version, authorization: request.headers.authorization, body: request.body ? JSON.parse(request.body) : undefined };
};

describe('HighLevelClient requests', () => {
  it('pushes a failed status with its error to PUT /conversations/messages/{id}/status (Version 2021-04-15)', async () => {
    await client().updateMessageStatus('loc-1', 'msg 1', 'failed', { code: '131026', type: 'whatsapp', message: 'not on WhatsApp' });
    expect(sent()).toEqual({
      method: 'PUT',
      url: '/conversations/messages/msg%201/status',
      version: '2021-04-15',
      authorization: 'Bearer stored-token',
      body: { status: 'failed', error: { code: '131026', type: 'whatsapp', message: 'not on WhatsApp' } },
    });
    expect(requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('finds a contact by phone with GET /contacts/search/duplicate?locationId&number (Version 2021-07-28)', async () => {
    answer = () => ({ status: 200, body: { contact: { id: 'c-1', phone: '+15864603685' } } });
    expect(await client().findContactByPhone('loc-1', '+15864603685')).toEqual({ id: 'c-1', phone: '+15864603685' });
    expect(sent()).toMatchObject({ method: 'GET', url: '/contacts/search/duplicate?locationId=loc-1&number=%2B15864603685', version: '2021-07-28', body: undefined });
  });

  it('threads an inbound message with POST /conversations/messages/inbound, direction inbound', async () => {
    answer = () => ({ status: 200, body: { messageId: 'm-9', conversationId: 'conv-1' } });
    const message = { type: 'SMS' as const, contactId: 'c-1', message: 'Hi!', attachments: [], altId: 'wamid.X', date: '2026-11-30T10:00:00.000Z' };
    expect(await client().addInboundMessage('loc-1', message)).toEqual({ messageId: 'm-9', conversationId: 'conv-1' });
    expect(sent()).toEqual({ method: 'POST', url: '/conversations/messages/inbound', version: '2021-04-15', authorization: 'Bearer stored-token', body: { direction: 'inbound', ...message } });
  });

  it('writes DND as the whole dndSettings map read just before, keeping the other channels', async () => {
    answer = (request) =>
      request.method === 'GET' ? { status: 200, body: { contact: { id: 'c-1', dndSettings: { SMS: { status: 'permanent', message: 'carrier', code: '' } } } } } : { status: 200, body: {} };
    await client().setChannelDnd('loc-1', 'c-1', 'WhatsApp', { status: 'active', message: 'STOP on WhatsApp' });
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /contacts/c-1', 'PUT /contacts/c-1']);
    expect(sent(1).body).toEqual({ dndSettings: { SMS: { status: 'permanent', message: 'carrier', code: '' }, WhatsApp: expect.objectContaining({ status: 'active', message: 'STOP on WhatsApp' }) } });
  });

  it('refreshes the token once on 401 and repeats the request; a second 401 is the error', async () => {
    answer = (request) => (request.headers.authorization === 'Bearer fresh-token' ? { status: 200, body: {} } : { status: 401, body: { message: 'Invalid JWT' } });
    await client().addContactTags('loc-1', 'c-1', ['whatsapp-opt-out']);
    expect(requests.map((request) => request.headers.authorization)).toEqual(['Bearer stored-token', 'Bearer fresh-token']);
    expect(tokensAsked).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(sent(1).body).toEqual({ tags: ['whatsapp-opt-out'] });

    answer = () => ({ status: 401, body: { message: 'Invalid JWT' } });
    await expect(client().addContactTags('loc-1', 'c-1', ['x'])).rejects.toMatchObject({ status: 401 });
  });

  it('reports a 429 with the rate-limit interval so the activity retries when the window resets', async () => {
    answer = () => ({ status: 429, body: { message: 'Too many requests' }, headers: { 'x-ratelimit-interval-milliseconds': '10000' } });
    const error = await client().updateMessageStatus('loc-1', 'm', 'delivered').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HighLevelApiError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 10_000 });
  });
});
