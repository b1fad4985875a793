import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { constantTimeEqual } from '../security/secretBox';
import { cookieValue, sessionProblem, sessionValue } from '../http/adminSession';
import type { HttpContext } from '../http/context';
import { html } from './html';
import { formOf, sendPage } from './respond';

/**
 * Who may use the console: whoever holds ADMIN_TOKEN, once, at the login form. The session is a cookie bound to the
 * token (src/http/adminSession.ts: rotating ADMIN_TOKEN ends it), HttpOnly, SameSite=Strict, Secure behind https,
 * scoped to /console. CSRF: a browser never sends a SameSite=Strict cookie on a request another site starts, and
 * every change (POST) must also come with an Origin (or Sec-Fetch-Site) of this console's own origin.
 */
const COOKIE = 'ghlwa_console';
const SESSION_SECONDS = 12 * 3600;
const LOGIN_PATH = '/console/login';

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function registerConsoleAuth(scope: FastifyInstance, ctx: HttpContext): void {
  scope.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const refused = crossSiteProblem(request, ctx.config);
      if (refused) return sendPage(reply, 403, { title: 'Refused', body: html`<p>${refused}</p>`, signedIn: false });
    }
    if (request.url.split('?')[0] === LOGIN_PATH) return;
    const expected = ctx.config.ADMIN_TOKEN;
    if (expected && !sessionProblem(cookieValue(request.headers.cookie, COOKIE), expected, 'console')) return;
    if (request.method === 'GET' || request.method === 'HEAD') return reply.redirect(LOGIN_PATH, 303);
    return sendPage(reply, 401, { title: 'Log in again', body: html`<p>Your session ended. <a href="${LOGIN_PATH}">Log in</a> and try again.</p>`, signedIn: false });
  });

  scope.get(LOGIN_PATH, async (_request, reply) => sendPage(reply, 200, loginPage(ctx.config.ADMIN_TOKEN ? undefined : disabled)));

  scope.post(LOGIN_PATH, async (request, reply) => {
    const expected = ctx.config.ADMIN_TOKEN;
    if (!expected) return sendPage(reply, 401, loginPage(disabled));
    const token = formOf(request).get('token') ?? '';
    if (!token || !constantTimeEqual(token, expected)) return sendPage(reply, 401, loginPage('That is not the admin token.'));
    reply.header('set-cookie', sessionCookie(request, ctx.config, sessionValue(expected, 'console', SESSION_SECONDS), SESSION_SECONDS));
    return reply.redirect('/console', 303);
  });

  scope.post('/console/logout', async (request, reply) => {
    reply.header('set-cookie', sessionCookie(request, ctx.config, '', 0));
    return reply.redirect(LOGIN_PATH, 303);
  });
}

const disabled = 'The console is disabled: set ADMIN_TOKEN.';

function sessionCookie(request: FastifyRequest, config: Config, value: string, seconds: number): string {
  const secure = request.protocol === 'https' || config.PUBLIC_BASE_URL.startsWith('https://') ? '; Secure' : '';
  return `${COOKIE}=${value}; Path=/console; Max-Age=${seconds}; HttpOnly; SameSite=Strict${secure}`;
}

/** Undefined when the change comes from this console's own pages. */
function crossSiteProblem(request: FastifyRequest, config: Config): string | undefined {
  const origin = request.headers.origin;
  if (origin) {
    const own = [`${request.protocol}://${request.host}`, new URL(config.PUBLIC_BASE_URL).origin];
    return own.includes(origin) ? undefined : 'A change from another site was refused.';
  }
  const site = request.headers['sec-fetch-site'];
  return site === 'same-origin' ? undefined : 'A change without the browser’s Origin header was refused (use the console’s own pages).';
}

function loginPage(error?: string) {
  return {
    title: 'Log in',
    signedIn: false,
    error,
    body: html`<form method="post" action="${LOGIN_PATH}"><label>Admin token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form>
<p class="muted">The admin token is the deployment's ADMIN_TOKEN. The session lasts ${SESSION_SECONDS / 3600} hours in this browser.</p>`,
  };
}

