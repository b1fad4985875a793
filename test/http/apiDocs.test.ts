/**
 * The admin API's description (issue 15): an OpenAPI 3 document at GET /docs/json built from the routes' zod schemas,
 * Swagger UI at /docs with every asset served by the api itself (it works without internet), and the schemas'
 * rejections answered in the API's 400 shape.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { adminCall } from '../support/adminApi';
import { ADMIN_TOKEN, META_APP_SECRET, startHarness, type Harness } from '../support/harness';

let h: Harness;
let document: OpenAPIV3_1.Document;
beforeAll(async () => {
  h = await startHarness();
  const response = await fetch(`${h.apiUrl}/docs/json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenAPIV3_1.Document;
});
afterAll(async () => {
  await h?.stop();
});

/** Every operator route, as OpenAPI paths; `body` marks the ones that take a JSON body. */
const ADMIN_ROUTES: Array<{ method: 'get' | 'put' | 'post' | 'delete'; path: string; body?: true }> = [
  { method: 'put', path: '/admin/locations/{locationId}', body: true },
  { method: 'get', path: '/admin/locations/{locationId}' },
  { method: 'get', path: '/admin/messages/{messageId}' },
  { method: 'get', path: '/admin/locations/{locationId}/templates' },
  { method: 'post', path: '/admin/locations/{locationId}/templates/sync' },
  { method: 'put', path: '/admin/locations/{locationId}/templates/settings', body: true },
  { method: 'post', path: '/admin/locations/{locationId}/templates/dry-run', body: true },
  { method: 'get', path: '/admin/locations/{locationId}/template-rules' },
  { method: 'post', path: '/admin/locations/{locationId}/template-rules', body: true },
  { method: 'get', path: '/admin/locations/{locationId}/template-rules/{ruleId}' },
  { method: 'put', path: '/admin/locations/{locationId}/template-rules/{ruleId}', body: true },
  { method: 'delete', path: '/admin/locations/{locationId}/template-rules/{ruleId}' },
  { method: 'post', path: '/admin/locations/{locationId}/consent', body: true },
  { method: 'get', path: '/admin/locations/{locationId}/consent/{phone}' },
  { method: 'post', path: '/admin/replays', body: true },
  { method: 'get', path: '/admin/replays/{replayId}' },
  { method: 'put', path: '/admin/locations/{locationId}/rates', body: true },
  { method: 'get', path: '/admin/locations/{locationId}/rates' },
  { method: 'get', path: '/admin/locations/{locationId}/costs' },
];

const operation = (path: string, method: string) => (document.paths?.[path] as Record<string, OpenAPIV3_1.OperationObject> | undefined)?.[method];

/** The admin routes the running api serves (from Fastify's route tree), as OpenAPI `method path`. */
function servedAdminRoutes(): string[] {
  const branch: string[] = [];
  const routes: string[] = [];
  for (const line of (h.api?.printRoutes({ commonPrefix: false }) ?? '').split('\n')) {
    const node = /^(.*?)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!node) continue;
    branch.length = (node[1] as string).length / 4;
    branch.push(node[2] as string);
    const path = branch.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of node[3]?.split(', ') ?? []) if (path.startsWith('/admin/') && !['HEAD', 'OPTIONS'].includes(method)) routes.push(`${method.toLowerCase()} ${path}`);
  }
  return routes.sort();
}

/** The documented JSON schema of an answer, as zod (the document inlines its schemas: no $ref to resolve). */
function documentedAnswer(path: string, method: string, status: string) {
  const response = operation(path, method)?.responses?.[status] as OpenAPIV3_1.ResponseObject;
  return z.fromJSONSchema(response.content?.['application/json']?.schema as never);
}

/** @apidevtools/swagger-parser's verdict on the document (test/support/validateOpenApi.js). */
function validateOpenApi(api: unknown): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '../support/validateOpenApi.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(JSON.stringify(api));
  });
}

describe('API description', () => {
  it('is a valid OpenAPI 3 document, public and free of secrets', async () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(await validateOpenApi(document)).toEqual({ code: 0, output: `valid OpenAPI ${document.openapi}\n` });
    expect(JSON.stringify(document)).not.toContain('$ref');
    const text = JSON.stringify(document);
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain(META_APP_SECRET);
  });

  it('describes every admin route with its parameters, body, answers and the bearer token', () => {
    expect(document.components?.securitySchemes?.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      path.startsWith('/admin/') ? Object.keys(item ?? {}).filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key)).map((method) => `${method} ${path}`) : [],
    );
    expect(documented.sort()).toEqual(ADMIN_ROUTES.map(({ method, path }) => `${method} ${path}`).sort());
    // An admin route added without a schema would be served but missing here.
    expect(servedAdminRoutes()).toEqual(documented);
    for (const route of ADMIN_ROUTES) {
      const op = operation(route.path, route.method);
      expect(op?.security).toEqual([{ adminToken: [] }]);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect((op?.parameters as OpenAPIV3_1.ParameterObject[] | undefined)?.filter((param) => param.in === 'path').map((param) => param.name).sort() ?? []).toEqual(pathParams.sort());
      if (route.body) expect((op?.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']?.schema).toBeDefined();
      const responses = op?.responses as Record<string, OpenAPIV3_1.ResponseObject>;
      expect(responses['400']?.content?.['application/json']?.schema).toBeDefined();
      expect(responses['401']).toBeDefined();
      const success = Object.keys(responses).filter((status) => status.startsWith('2'));
      expect(success.length).toBeGreaterThan(0);
      for (const status of success.filter((code) => code !== '204')) expect(responses[status]?.content?.['application/json']?.schema).toBeDefined();
    }
  });

  it('documents answers as the api gives them', async () => {
    const location = await adminCall(h.apiUrl, 'GET', `/admin/locations/${h.location.id}`);
    expect(location.status).toBe(200);
    const locationAnswer = documentedAnswer('/admin/locations/{locationId}', 'get', '200');
    expect(locationAnswer.safeParse(location.body).error).toBeUndefined();
    expect(locationAnswer.safeParse({ ...location.body, whatsapp: { backend: 'carrier pigeon' } }).success).toBe(false);

    const rule = { pattern: { kind: 'prefix', value: 'Docs:' }, template: { name: 'docs_rule' } };
    const created = await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/template-rules`, rule);
    expect(created.status).toBe(201);
    expect((documentedAnswer('/admin/locations/{locationId}/template-rules', 'post', '201')).safeParse(created.body).error).toBeUndefined();

    const plan = await adminCall(h.apiUrl, 'POST', '/admin/replays', { locationId: h.location.id, dryRun: true });
    expect(plan.status).toBe(200);
    expect((documentedAnswer('/admin/replays', 'post', '200')).safeParse(plan.body).error).toBeUndefined();

    const invalid = await adminCall(h.apiUrl, 'PUT', `/admin/locations/${h.location.id}`, { settings: { receiptTimeoutSeconds: -1 } });
    expect(invalid).toMatchObject({ status: 400, body: { error: 'invalid location configuration', fields: [{ field: 'settings.receiptTimeoutSeconds' }] } });
    expect((documentedAnswer('/admin/locations/{locationId}', 'put', '400')).safeParse(invalid.body).error).toBeUndefined();
  });

  it('answers a rejected query or path with the reason and the field', async () => {
    expect(await adminCall(h.apiUrl, 'POST', `/admin/locations/${h.location.id}/templates/sync?wait=maybe`)).toMatchObject({
      status: 400,
      body: { error: 'invalid request querystring', fields: [{ field: 'wait', problem: expect.any(String) }] },
    });
    expect(await adminCall(h.apiUrl, 'GET', `/admin/replays/r%01`)).toEqual({ status: 400, body: { error: 'replayId contains control characters' } });
    // The token is checked before anything else.
    expect((await adminCall(h.apiUrl, 'GET', `/admin/replays/r%01`, undefined, 'wrong')).status).toBe(401);
  });
});

describe('/docs', () => {
  it('serves Swagger UI whose every asset comes from the api itself', async () => {
    const page = await fetch(`${h.apiUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets).toEqual(expect.arrayContaining([expect.stringContaining('swagger-ui-bundle.js'), expect.stringContaining('swagger-ui.css'), expect.stringContaining('swagger-initializer.js')]));
    for (const asset of assets) {
      const url = new URL(asset, page.url);
      expect(url.origin).toBe(new URL(h.apiUrl).origin);
      const response = await fetch(url);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    // The page loads the document from the api too (no validator badge calling out).
    const initializer = await (await fetch(new URL(assets.find((asset) => asset.endsWith('swagger-initializer.js')) as string, page.url))).text();
    expect(initializer).toContain("resolveUrl('./json')");
    expect(initializer).toMatch(/validatorUrl: null/);
  });
});
