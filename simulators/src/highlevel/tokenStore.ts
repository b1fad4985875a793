import crypto from 'node:crypto';
import { newHighLevelId } from './ids';

export type UserType = 'Location' | 'Company';

/** Who a token acts for: a sub-account (Location) or an agency (Company). */
export interface TokenSubject {
  userType: UserType;
  companyId: string;
  /** Present for Location tokens only. */
  locationId?: string;
  userId: string;
  /** Company tokens: the locations the agency approved at install. */
  approvedLocations?: string[];
}

export interface AccessTokenRecord extends TokenSubject {
  accessToken: string;
  scope: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface IssuedTokens {
  record: AccessTokenRecord;
  refreshToken: string;
  refreshTokenId: string;
  expiresIn: number;
}

/** HighLevel access tokens last about a day. */
export const ACCESS_TOKEN_TTL_SECONDS = 86_399;
/** The scopes a conversation provider asks for (ConversationProviders doc), plus oauth.* for company tokens. */
export const GRANTED_SCOPES = [
  'conversations/message.readonly', 'conversations/message.write', 'conversations.readonly', 'conversations.write',
  'contacts.readonly', 'contacts.write', 'locations.readonly', 'oauth.readonly', 'oauth.write',
].join(' ');
const AUTHORIZATION_CODE_TTL_MS = 10 * 60_000;

interface SingleUseRecord {
  subject: TokenSubject;
  used: boolean;
  expiresAt: number;
}

/**
 * Access tokens, rotating single-use refresh tokens and authorization codes.
 * Tokens are JWT-shaped (like HighLevel's) so clients that peek at them keep working; only this store can validate them.
 */
export class TokenStore {
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, SingleUseRecord>();
  private readonly authorizationCodes = new Map<string, SingleUseRecord>();
  private readonly signingSecret = crypto.randomBytes(32);

  constructor(private readonly clientId: string) {}

  issue(subject: TokenSubject, expiresIn = ACCESS_TOKEN_TTL_SECONDS): IssuedTokens {
    const now = Date.now();
    const accessToken = this.mintJwt(subject, now, expiresIn);
    const record: AccessTokenRecord = { ...subject, accessToken, scope: GRANTED_SCOPES, expiresAt: now + expiresIn * 1000 };
    this.accessTokens.set(accessToken, record);
    const refreshToken = this.mintJwt(subject, now, 365 * 86_400);
    // Refresh tokens live a year unless used.
    this.refreshTokens.set(refreshToken, { subject, used: false, expiresAt: now + 365 * 86_400_000 });
    return { record, refreshToken, refreshTokenId: newHighLevelId(24), expiresIn };
  }

  /** Unknown or expired tokens give undefined. */
  lookup(accessToken: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(accessToken);
    return record && record.expiresAt > Date.now() ? record : undefined;
  }

  expire(accessToken: string): void {
    const record = this.accessTokens.get(accessToken);
    if (record) record.expiresAt = Date.now() - 1;
  }

  createAuthorizationCode(subject: TokenSubject): string {
    const code = crypto.randomBytes(20).toString('hex');
    this.authorizationCodes.set(code, { subject, used: false, expiresAt: Date.now() + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /** What a code or refresh token stands for, without using it up (undefined when unusable). */
  peek(kind: 'code' | 'refresh', value: string): TokenSubject | undefined {
    const record = (kind === 'code' ? this.authorizationCodes : this.refreshTokens).get(value);
    return record && !record.used && record.expiresAt > Date.now() ? record.subject : undefined;
  }

  /** Single use: a second redemption fails. */
  redeemAuthorizationCode(code: string): TokenSubject | undefined {
    return redeem(this.authorizationCodes.get(code));
  }

  /** Single use: refresh tokens rotate, so a reused one fails. */
  redeemRefreshToken(refreshToken: string): TokenSubject | undefined {
    return redeem(this.refreshTokens.get(refreshToken));
  }

  private mintJwt(subject: TokenSubject, nowMs: number, lifetimeSeconds: number): string {
    const header = { alg: 'HS256', typ: 'JWT' };
    const iat = Math.floor(nowMs / 1000);
    const payload = {
      authClass: subject.userType,
      authClassId: subject.locationId ?? subject.companyId,
      source: 'INTEGRATION',
      sourceId: this.clientId,
      channel: 'OAUTH',
      primaryAuthClassId: subject.locationId ?? subject.companyId,
      oauthMeta: { scopes: GRANTED_SCOPES.split(' '), client: this.clientId.split('-')[0] },
      iat,
      exp: iat + lifetimeSeconds,
      jti: crypto.randomUUID(),
    };
    const unsigned = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(payload))}`;
    const signature = crypto.createHmac('sha256', this.signingSecret).update(unsigned).digest('base64url');
    return `${unsigned}.${signature}`;
  }
}

function redeem(record: SingleUseRecord | undefined): TokenSubject | undefined {
  if (!record || record.used || record.expiresAt <= Date.now()) return undefined;
  record.used = true;
  return record.subject;
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
