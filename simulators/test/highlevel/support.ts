import { HighLevelSimulator } from '@ghl-whatsapp/simulators';

/**
 * Shared setup for the HighLevel simulator contract tests. Files testing the shared simulator call
 * useHighLevelSimulator() inside their `describe('HighLevel simulator')`; `sim`, `token` and `otherToken`
 * are live bindings set by its beforeAll.
 */

export const CONVERSATIONS = '2021-04-15';
export const CONTACTS = '2021-07-28';
export const LOCATION = 'LOC1aaaaaaaaaaaaaaaa';
export const OTHER_LOCATION = 'LOC2bbbbbbbbbbbbbbbb';
export const DOWNSTREAM_DELAY_MS = 400;

export interface ApiResponse {
  status: number;
  body: any; // contract assertions read arbitrary JSON shapes
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  version?: string;
  json?: unknown;
  form?: Record<string, string>;
}

export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.version) headers.Version = options.version;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

export let sim: HighLevelSimulator;
export let token: string;
export let otherToken: string;
export const api = (method: string, path: string, options: CallOptions = {}) => call(sim.baseUrl, method, path, options);
export const contactsApi = (method: string, path: string, json?: unknown) => api(method, path, { token, version: CONTACTS, json });
export const conversationsApi = (method: string, path: string, json?: unknown) => api(method, path, { token, version: CONVERSATIONS, json });

/** Starts one simulator (no rate limit) with a token for LOCATION and one for OTHER_LOCATION, stopped after the block. */
export function useHighLevelSimulator(): void {
  beforeAll(async () => {
    sim = await HighLevelSimulator.start({ statusDownstreamDelayMs: DOWNSTREAM_DELAY_MS, rateLimit: false });
    token = sim.issueLocationToken(LOCATION).access_token;
    otherToken = sim.issueLocationToken(OTHER_LOCATION).access_token;
  });
  afterAll(async () => {
    await sim.stop();
  });
}
