import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiError, badRequest, HighLevelApiError } from './apiErrors';
import { authorize } from './guard';
import type { SimulatorContext } from './state';
import type { IssuedTokens, TokenSubject } from './tokenStore';
import { OAUTH_API_VERSION } from './types';

/** /oauth/locationToken's documented sample says 86400 (the token endpoint says 86399). */
const LOCATION_TOKEN_TTL_SECONDS = 86_400;

/** OAuth-style error body (RFC 6749 §5.2), as HighLevel's token endpoint answers grant problems. */
const oauthError = (httpStatus: number, error: string, description: string) =>
  new HighLevelApiError(httpStatus, { error, error_description: description });

/** The token endpoint takes application/x-www-form-urlencoded; JSON is tolerated. */
function formFields(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== null).map(([key, value]) => [key, String(value)]));
  }
  return {};
}

/** The fields every HighLevel token response opens with. */
function tokenFields(issued: IssuedTokens): Record<string, unknown> {
  return { access_token: issued.record.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, refresh_token: issued.refreshToken, scope: issued.record.scope };
}

/** GetAccessCodeSuccessfulResponseDto, in the order of HighLevel's verbatim sample. */
export function tokenResponse(issued: IssuedTokens): Record<string, unknown> {
  const { record } = issued;
  return {
    ...tokenFields(issued),
    refreshTokenId: issued.refreshTokenId,
    userType: record.userType,
    companyId: record.companyId,
    ...(record.locationId ? { locationId: record.locationId } : {}),
    ...(record.approvedLocations ? { approvedLocations: record.approvedLocations } : {}),
    isBulkInstallation: false,
    userId: record.userId,
  };
}

export function registerOauthRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  app.post('/oauth/token', async (request) => {
    const form = formFields(request.body);
    const missing = ['client_id', 'client_secret', 'grant_type'].filter((field) => !form[field]);
    if (missing.length > 0) throw apiError(422, missing.map((field) => `${field} should not be empty`));
    const clientMatches = form.client_id === ctx.clientId && safeEqual(form.client_secret ?? '', ctx.clientSecret);
    if (!clientMatches) throw oauthError(401, 'invalid_client', 'Client authentication failed: client_id or client_secret is wrong');

    if (form.user_type !== undefined && form.user_type !== 'Company' && form.user_type !== 'Location') {
      throw apiError(422, ['user_type must be one of the following values: Company, Location']);
    }
    if (form.grant_type === 'authorization_code') {
      if (!form.code) throw oauthError(400, 'invalid_request', 'code is required for grant_type=authorization_code');
      const installed = ctx.tokens.peek('code', form.code);
      if (!installed) throw oauthError(400, 'invalid_grant', 'Invalid grant: authorization code is invalid, expired, or has already been used');
      const subject = requestedSubject(installed, form.user_type);
      ctx.tokens.redeemAuthorizationCode(form.code);
      return tokenResponse(ctx.tokens.issue(subject));
    }
    if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) throw oauthError(400, 'invalid_request', 'refresh_token is required for grant_type=refresh_token');
      const held = ctx.tokens.peek('refresh', form.refresh_token);
      if (!held) throw oauthError(400, 'invalid_grant', 'Invalid grant: refresh token is invalid, expired, or has already been used');
      if (form.user_type && form.user_type !== held.userType) throw userTypeMismatch(form.user_type, held.userType);
      ctx.tokens.redeemRefreshToken(form.refresh_token);
      return tokenResponse(ctx.tokens.issue(held));
    }
    throw oauthError(400, 'unsupported_grant_type', `grant_type ${form.grant_type} is not supported`);
  });

  app.post('/oauth/locationToken', async (request, reply) => {
    const companyToken = authorize(ctx, request, reply, { version: OAUTH_API_VERSION, userType: 'Company' });
    const form = formFields(request.body);
    if (!form.companyId || !form.locationId) throw badRequest('companyId and locationId are required');
    if (form.companyId !== companyToken.companyId) throw apiError(403, 'The token does not have access to this company.');
    const issued = ctx.tokens.issue(
      { userType: 'Location', companyId: form.companyId, locationId: form.locationId, userId: companyToken.userId },
      LOCATION_TOKEN_TTL_SECONDS,
    );
    const { record } = issued;
    // GetLocationAccessTokenSuccessfulResponseDto.
    return {
      ...tokenFields(issued),
      userType: 'Location',
      companyId: record.companyId,
      locationId: record.locationId,
      userId: record.userId,
      traceId: crypto.randomUUID(),
    };
  });
}

/**
 * The token class asked for (`user_type`, "The type of token to be requested", GetAccessCodebodyDto), else the
 * install's own. A sub-account install can be asked for its agency's Company token; an agency-level install has no
 * location to issue a Location token for, so asking for one is refused (the code stays usable).
 */
function requestedSubject(installed: TokenSubject, userType: string | undefined): TokenSubject {
  if (!userType || userType === installed.userType) return installed;
  if (userType === 'Location') throw userTypeMismatch(userType, installed.userType);
  return {
    userType: 'Company',
    companyId: installed.companyId,
    userId: installed.userId,
    approvedLocations: installed.locationId ? [installed.locationId] : [],
  };
}

const userTypeMismatch = (asked: string, held: string) =>
  oauthError(400, 'invalid_request', `user_type ${asked} does not match this grant: it was issued for a ${held} (agency-level installs ask for user_type=Company)`);

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
