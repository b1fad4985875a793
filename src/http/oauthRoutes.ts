import type { FastifyInstance, FastifyReply } from 'fastify';
import { isNetworkError } from '../providers/http';
import { HighLevelOAuthClient, OAuthRefusedError, type TokenGrant } from '../providers/highlevel/oauthClient';
import { HighLevelTokenStore } from '../providers/highlevel/tokenStore';
import { markInstalled } from '../store/installs';
import type { HttpContext } from './context';
import { registerHighLevelAppWebhookRoute } from './highLevelAppWebhookRoute';
import { installedPage, installFailedPage, type InstallOutcome } from './installPage';

/** Location tokens minted at once for an agency install: quick for a few locations, gentle on the 100/10 s limit. */
const MINT_CONCURRENCY = 5;

/** The marketplace install: HighLevel's redirect with ?code= (highlevel.md §7) and the app webhook (INSTALL/UNINSTALL). */
export function registerOAuthRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/oauth/callback', async (request, reply) => {
    const { code } = request.query as { code?: unknown };
    if (typeof code !== 'string' || code.trim() === '') {
      return sendPage(reply, 400, installFailedPage('Install not completed', 'The redirect carried no ?code= from HighLevel. Start the install again from the marketplace.'));
    }
    const { HIGHLEVEL_CLIENT_ID: clientId, HIGHLEVEL_CLIENT_SECRET: clientSecret } = ctx.config;
    if (!clientId || !clientSecret) {
      return sendPage(reply, 503, installFailedPage('Install not completed', 'HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET are not configured on this server: set them to the marketplace app\'s OAuth client.'));
    }
    const client = new HighLevelOAuthClient({ baseUrl: ctx.config.HIGHLEVEL_API_BASE_URL, clientId, clientSecret });

    let grant: TokenGrant;
    try {
      grant = await client.exchangeCode(code.trim());
    } catch (error) {
      const reason = refusal(error);
      request.log.warn({ reason }, 'HighLevel refused the authorization code');
      return sendPage(reply, 502, installFailedPage('HighLevel refused the install', reason));
    }

    let outcome: InstallOutcome;
    try {
      outcome = isAgencyGrant(grant) ? await installAgency(ctx, client, grant) : await installLocation(ctx, grant);
    } catch (error) {
      if (error instanceof IncompleteGrantError) return sendPage(reply, 502, installFailedPage('HighLevel refused the install', error.message));
      request.log.error({ err: error }, 'could not store the install');
      reply.header('retry-after', '5');
      return sendPage(reply, 503, installFailedPage('Install not completed', 'The database is unavailable; install the app again in a moment.'));
    }
    for (const failure of outcome.failed) request.log.warn({ locationId: failure.locationId, reason: failure.reason }, 'no location token for an agency install');
    app.log.info({ locationIds: outcome.installed, companyId: outcome.companyId }, 'HighLevel app installed');
    return sendPage(reply, outcome.failed.length > 0 ? 502 : 200, installedPage(outcome, ctx.config.PUBLIC_BASE_URL));
  });

  registerHighLevelAppWebhookRoute(app, ctx);
}

function isAgencyGrant(grant: TokenGrant): boolean {
  return grant.userType === 'Company' || (!grant.locationId && !!grant.companyId);
}

async function installLocation(ctx: HttpContext, grant: TokenGrant): Promise<InstallOutcome> {
  if (!grant.locationId) throw new IncompleteGrantError('the token answer named no locationId');
  await storeInstall(ctx, grant.locationId, grant);
  return { installed: [grant.locationId], failed: [] };
}

/** An agency token acts for the company: each approved location gets its own token; the company token is not kept. */
async function installAgency(ctx: HttpContext, client: HighLevelOAuthClient, grant: TokenGrant): Promise<InstallOutcome> {
  const companyId = grant.companyId;
  if (!companyId) throw new IncompleteGrantError('the agency token answer named no companyId');
  const outcome: InstallOutcome = { installed: [], failed: [], companyId };
  const locationIds = [...new Set(grant.approvedLocations ?? [])];
  for (let start = 0; start < locationIds.length; start += MINT_CONCURRENCY) {
    const batch = locationIds.slice(start, start + MINT_CONCURRENCY);
    const minted = await Promise.all(
      batch.map((locationId) =>
        client.mintLocationToken(grant.access_token, companyId, locationId).then(
          (token) => ({ locationId, token }),
          (error: unknown) => ({ locationId, reason: refusal(error) }),
        ),
      ),
    );
    for (const result of minted) {
      if ('reason' in result) {
        outcome.failed.push(result);
        continue;
      }
      await storeInstall(ctx, result.locationId, { ...result.token, companyId: result.token.companyId ?? companyId });
      outcome.installed.push(result.locationId);
    }
  }
  return outcome;
}

/** The location row (minimal when new), its install time and its encrypted tokens, all or nothing. */
async function storeInstall(ctx: HttpContext, locationId: string, grant: TokenGrant): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await markInstalled(trx, locationId, grant.companyId ?? null);
    const tokens = new HighLevelTokenStore(trx, ctx.box, { baseUrl: ctx.config.HIGHLEVEL_API_BASE_URL });
    await tokens.store(locationId, {
      access_token: grant.access_token,
      refresh_token: grant.refresh_token,
      expires_in: grant.expires_in,
      companyId: grant.companyId ?? null,
    });
  });
}

/** HighLevel's own reason when it answered; a short network description when it did not. */
function refusal(error: unknown): string {
  if (error instanceof OAuthRefusedError) return error.reason;
  if (isNetworkError(error)) return `could not reach HighLevel (${(error as { code: string }).code})`;
  return `the call to HighLevel failed: ${error instanceof Error ? error.message : String(error)}`;
}

class IncompleteGrantError extends Error {
  override name = 'IncompleteGrantError';
}

function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
