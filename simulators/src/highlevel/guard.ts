import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError, badRequest, HighLevelApiError, invalidJwt, noLocationAccess } from './apiErrors';
import type { SimulatorContext } from './state';
import { SDK_API_VERSIONS } from './types';
import type { AccessTokenRecord, UserType } from './tokenStore';

export interface GuardOptions {
  /** The `Version` header value the endpoint's spec lists (the SDK's values are accepted too). */
  version: string;
  /** Token class the endpoint accepts; Location by default. */
  userType?: UserType;
}

/**
 * The checks every authenticated API route makes, in order: bearer token, rate limit (headers on
 * every answer from here on), token class, Version header. Throws HighLevelApiError; returns the token.
 */
export function authorize(ctx: SimulatorContext, request: FastifyRequest, reply: FastifyReply, options: GuardOptions): AccessTokenRecord {
  const token = ctx.tokens.lookup(bearerToken(request) ?? '');
  if (!token) throw invalidJwt();

  if (ctx.rateLimiter) {
    const verdict = ctx.rateLimiter.take(token.locationId ?? token.companyId);
    reply.headers(verdict.headers);
    // HighLevel documents no Retry-After and no body format for 429s.
    if (!verdict.allowed) throw new HighLevelApiError(429, { statusCode: 429, message: 'Too Many Requests' });
  }

  if (token.userType !== (options.userType ?? 'Location')) {
    throw apiError(401, 'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.');
  }

  const version = request.headers.version;
  if (typeof version !== 'string' || version === '') throw badRequest('Version header was not found');
  if (version !== options.version && !SDK_API_VERSIONS.includes(version)) {
    throw badRequest(`Version header '${version}' is not supported by this API; expected Version: ${options.version}`);
  }
  return token;
}

/** A Location token may only act on its own location. */
export function assertSameLocation(token: AccessTokenRecord, locationId: string | undefined): void {
  if (locationId !== undefined && token.locationId !== locationId) throw noLocationAccess();
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}
