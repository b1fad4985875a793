import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
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
    registerOverviewPage(scope, ctx);
    registerMessagePages(scope, ctx);
    registerReplayPages(scope, ctx);
    registerLocationPages(scope, ctx, replays);
    registerTemplatePages(scope, ctx);
    registerConsentPages(scope, ctx);
  });
}
