import type { Db } from '../../db/database';
import type { SecretBox } from '../../security/secretBox';
import { findHighLevelTokens, saveHighLevelTokens, withLockedHighLevelTokens } from '../../store/highLevelTokens';
import { HighLevelOAuthClient } from './oauthClient';

export interface OAuthTokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  companyId?: string | null;
}

export interface OAuthApp {
  baseUrl: string;
  clientId?: string;
  clientSecret?: string;
}

/** Refresh a minute early so a token never expires mid-request. */
const EARLY_REFRESH_MS = 60_000;

/**
 * HighLevel tokens per location, encrypted at rest. Refresh tokens rotate and are single-use, so a refresh
 * runs under a row lock: concurrent workers wait and reuse the winner's token instead of burning it twice.
 */
export class HighLevelTokenStore {
  /** Decrypted access tokens until shortly before expiry: every status push would otherwise read and decrypt a row. */
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly db: Db, private readonly box: SecretBox, private readonly app: OAuthApp) {}

  async store(locationId: string, tokens: OAuthTokens): Promise<void> {
    const expiresAt = new Date(Date.now() + tokens.expires_in * 1000);
    await saveHighLevelTokens(this.db, locationId, {
      company_id: tokens.companyId ?? null,
      access_token_enc: this.box.encrypt(tokens.access_token),
      refresh_token_enc: tokens.refresh_token ? this.box.encrypt(tokens.refresh_token) : null,
      expires_at: expiresAt,
    });
    this.cache.set(locationId, { token: tokens.access_token, expiresAt: expiresAt.getTime() });
  }

  async accessToken(locationId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const cached = this.cache.get(locationId);
    if (!options.forceRefresh && cached && cached.expiresAt - Date.now() > EARLY_REFRESH_MS) return cached.token;
    this.cache.delete(locationId);
    const row = await findHighLevelTokens(this.db, locationId);
    if (!row) throw new MissingTokenError(locationId);
    const stored = this.box.decrypt(row.access_token_enc);
    // After a 401 with a cached token, a token stored meanwhile (admin API, reinstall, another worker) is tried first.
    const storedSinceCached = options.forceRefresh && cached !== undefined && stored !== cached.token;
    if ((!options.forceRefresh || storedSinceCached) && row.expires_at.getTime() - Date.now() > EARLY_REFRESH_MS) {
      this.cache.set(locationId, { token: stored, expiresAt: row.expires_at.getTime() });
      return stored;
    }
    return this.refresh(locationId, row.updated_at.getTime());
  }

  private async refresh(locationId: string, seenUpdatedAt: number): Promise<string> {
    return withLockedHighLevelTokens(this.db, locationId, async (row) => {
      // Someone else refreshed while we waited for the lock.
      if (row.updated_at.getTime() !== seenUpdatedAt) return { result: this.box.decrypt(row.access_token_enc) };
      if (!row.refresh_token_enc || !this.app.clientId || !this.app.clientSecret) {
        throw new MissingTokenError(locationId, 'the access token expired and no refresh token or OAuth client is configured');
      }
      const oauth = new HighLevelOAuthClient({ baseUrl: this.app.baseUrl, clientId: this.app.clientId, clientSecret: this.app.clientSecret });
      const tokens = await oauth.refresh(this.box.decrypt(row.refresh_token_enc));
      const expiresAt = new Date(Date.now() + tokens.expires_in * 1000);
      this.cache.set(locationId, { token: tokens.access_token, expiresAt: expiresAt.getTime() });
      return {
        result: tokens.access_token,
        next: {
          access_token_enc: this.box.encrypt(tokens.access_token),
          refresh_token_enc: tokens.refresh_token ? this.box.encrypt(tokens.refresh_token) : row.refresh_token_enc,
          expires_at: expiresAt,
        },
      };
    });
  }
}

export class MissingTokenError extends Error {
  override name = 'MissingTokenError';
  constructor(locationId: string, why = 'the location has no HighLevel token (app not installed?)') {
    super(`HighLevel location ${locationId}: ${why}`);
  }
}
