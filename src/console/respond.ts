import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { rawBodyOf } from '../http/rawBody';
import { page, type PageOptions } from './layout';

export function sendPage(reply: FastifyReply, status: number, options: PageOptions) {
  return reply.code(status).type('text/html; charset=utf-8').send(page(options));
}

/** A urlencoded form body (the console's forms, apart from the consent file upload). */
export function formOf(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(rawBodyOf(request));
}

/**
 * The fields of a search or lookup: the query of a GET (links), or the body of the form's POST, which keeps phone
 * numbers and message text out of URLs (browser history, access logs).
 */
export function fieldsOf(request: FastifyRequest): Record<string, string | undefined> {
  if (request.method !== 'POST') return request.query as Record<string, string | undefined>;
  return Object.fromEntries([...formOf(request)].map(([name, value]) => [name, value.replace(/[\u0000-\u001f\u007f]/g, ' ')]));
}

/** The workflow of a message in the Temporal Web UI. */
export function workflowUrl(config: Config, workflowId: string): string {
  const base = config.TEMPORAL_UI_URL ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  return `${base}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A console path with a path segment (ledger ids hold ':'). */
export const messagePath = (messageId: string) => `/console/messages/${encodeURIComponent(messageId)}`;
export const locationPath = (locationId: string) => `/console/locations/${encodeURIComponent(locationId)}`;

export const when = (date: Date | string | null | undefined) => (date ? new Date(date).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
