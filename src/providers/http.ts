import { request } from 'undici';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/** One HTTP call with a deadline; the body is parsed as JSON when it is JSON. */
export async function httpRequest(
  url: string,
  options: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; headers?: Record<string, string>; body?: string | Buffer | FormData; timeoutMs?: number },
): Promise<HttpResponse> {
  const timeout = options.timeoutMs ?? 15_000;
  const response = await request(url, {
    method: options.method,
    headers: options.headers,
    body: options.body as string | Buffer | undefined,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const text = await response.body.text();
  let body: unknown = text;
  if (String(response.headers['content-type'] ?? '').includes('json') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.statusCode, headers: response.headers, body, text };
}

/** Network-level failures (refused, reset, timeout) are always worth retrying. */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code.startsWith('UND_ERR') || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code);
}
