import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { idProblem } from '../domain/identifiers';
import type { HttpContext } from '../http/context';
import { registerConsoleAuth } from './auth';
import { MAX_CSV_BYTES, registerConsentPages } from './consent';
import { html } from './html';
import { registerLocationPages, type SenderResumed } from './locations';
import { registerMessagePages } from './messages';
import { registerOverviewPage } from './overview';
import { registerReplayPages } from './replays';
import { sendPage } from './respond';
import { registerTemplatePages } from './templates';

/** The operator console at /console: server-rendered pages for agency staff holding the admin token (README "Console"). */
export function registerConsole(app: FastifyInstance, ctx: HttpContext, replays: SenderResumed): void {
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 10 } });
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, 'console error');
      return sendPage(reply, status, { title: 'Something went wrong', body: html`<p>${status === 500 ? 'The console could not answer; the error is in the api log.' : error.message}</p>` });
    });
    registerConsoleAuth(scope, ctx);
    // Path ids and search words are checked before any lookup (PostgreSQL refuses a NUL in text).
    scope.addHook('preValidation', async (request, reply) => {
      const values = [...Object.entries((request.params ?? {}) as Record<string, unknown>), ...Object.entries((request.query ?? {}) as Record<string, unknown>)];
      for (const [name, value] of values) {
        if (Array.isArray(value)) return sendPage(reply, 400, { title: 'Bad request', body: html`<p>${name} is given more than once.</p>` });
        const problem = typeof value === 'string' && value !== '' ? idProblem(value.replace(/[\r\n\t]/g, ' '), 10_000) : undefined;
        if (problem) return sendPage(reply, 400, { title: 'Bad request', body: html`<p>${name} ${problem}.</p>` });
      }
    });
    registerOverviewPage(scope, ctx);
    registerMessagePages(scope, ctx);
    registerReplayPages(scope, ctx);
    registerLocationPages(scope, ctx, replays);
    registerTemplatePages(scope, ctx);
    registerConsentPages(scope, ctx);
  });
}
