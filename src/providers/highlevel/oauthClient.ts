import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../http';

/** The Version header /oauth/locationToken lists (highlevel.md §7). */
export const VERSION_OAUTH = '2021-07-28';

export interface OAuthClientConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** What the token endpoints answer, as far as the install flow reads it; other fields pass through. */
const tokenGrant = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
  userType: z.enum(['Location', 'Company']).optional(),
  companyId: z.string().min(1).optional(),
  locationId: z.string().min(1).optional(),
  approvedLocations: z.array(z.string().min(1)).optional(),
});

export type TokenGrant = z.infer<typeof tokenGrant>;

/** HighLevel answered, but not with tokens: a refused code, a wrong client secret, a location it will not mint for. */
export class OAuthRefusedError extends Error {
  override name = 'OAuthRefusedError';
  constructor(readonly status: number, readonly reason: string) {
    super(`HighLevel refused (${status}): ${reason}`);
  }
}

/** The marketplace install calls: the code exchange and, for agency installs, one location token per location. */
export class HighLevelOAuthClient {
  constructor(private readonly config: OAuthClientConfig) {}

  /**
   * POST /oauth/token, grant_type=authorization_code. `user_type` is left out: the install decides (a Location token
   * for a sub-account install, a Company token for an agency-level one), as in HighLevel's own SDK sample app
   * (ghl-sdk-examples node/sample-app-oauth). Asking for `Location` always made agency installs fail.
   */
  exchangeCode(code: string): Promise<TokenGrant> {
    return this.token({ grant_type: 'authorization_code', code });
  }

  /** POST /oauth/token, grant_type=refresh_token: a new access token (and usually a new refresh token) for a location. */
  refresh(refreshToken: string): Promise<TokenGrant> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken, user_type: 'Location' });
  }

  /** The one caller of /oauth/token. */
  private async token(grant: Record<string, string>): Promise<TokenGrant> {
    const response = await httpRequest(`${this.config.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: this.config.clientId, client_secret: this.config.clientSecret, ...grant }).toString(),
    });
    return grantFrom(response);
  }

  /** POST /oauth/locationToken with the agency's token: a Location token for one of its sub-accounts. */
  async mintLocationToken(companyAccessToken: string, companyId: string, locationId: string): Promise<TokenGrant> {
    const response = await httpRequest(`${this.config.baseUrl}/oauth/locationToken`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Bearer ${companyAccessToken}`,
        version: VERSION_OAUTH,
      },
      body: new URLSearchParams({ companyId, locationId }).toString(),
    });
    return grantFrom(response);
  }
}

function grantFrom(response: HttpResponse): TokenGrant {
  if (response.status !== 200 && response.status !== 201) throw new OAuthRefusedError(response.status, refusalReason(response));
  const parsed = tokenGrant.safeParse(response.body);
  if (!parsed.success) throw new OAuthRefusedError(response.status, 'the answer carried no usable access_token/expires_in');
  return parsed.data;
}

/** HighLevel answers OAuth-style ({error, error_description}) or Nest-style ({message}) bodies. */
function refusalReason(response: HttpResponse): string {
  const body = response.body as { error_description?: unknown; message?: unknown; error?: unknown } | string | undefined;
  if (body && typeof body === 'object') {
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    for (const candidate of [body.error_description, message, body.error]) {
      if (typeof candidate === 'string' && candidate) return candidate.slice(0, 300);
    }
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${response.status}`;
}
