import { ADMIN_TOKEN } from './harness';

export interface AdminResponse {
  status: number;
  body: any; // assertions read arbitrary JSON shapes
}

/** Calls the operator API of a running harness with the admin token (or `token`). */
export async function adminCall(apiUrl: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token = ADMIN_TOKEN): Promise<AdminResponse> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
