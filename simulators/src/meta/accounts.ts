import type { FastifyRequest } from 'fastify';
import { invalidToken } from './graphErrors';
import type { MetaAccount } from './types';

/** Business phone numbers and the tokens allowed to use them. Several numbers may share one token and WABA. */
export class AccountRegistry {
  private readonly byPhoneNumberId = new Map<string, MetaAccount>();

  register(account: MetaAccount): void {
    this.byPhoneNumberId.set(account.phoneNumberId, { ...account });
  }

  byPhoneNumber(phoneNumberId: string): MetaAccount | undefined {
    return this.byPhoneNumberId.get(phoneNumberId);
  }

  first(): MetaAccount | undefined {
    return this.byPhoneNumberId.values().next().value;
  }

  /** The account for a phone number id, or the first account when none is named. */
  resolve(phoneNumberId: string | undefined): MetaAccount {
    const account = phoneNumberId === undefined ? this.first() : this.byPhoneNumber(phoneNumberId);
    if (!account) throw new Error(phoneNumberId ? `Unknown phone number id ${phoneNumberId}` : 'No Meta account registered');
    return account;
  }

  isKnownToken(token: string): boolean {
    return [...this.byPhoneNumberId.values()].some((account) => account.accessToken === token);
  }

  hasWaba(wabaId: string): boolean {
    return [...this.byPhoneNumberId.values()].some((account) => account.wabaId === wabaId);
  }

  tokenOwnsWaba(token: string, wabaId: string): boolean {
    return [...this.byPhoneNumberId.values()].some((account) => account.wabaId === wabaId && account.accessToken === token);
  }
}

/** Token from `Authorization: Bearer …`, or the `access_token` query parameter Graph also accepts. */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (match?.[1]) return match[1];
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' && query.access_token !== '' ? query.access_token : undefined;
}

/** Any registered token; otherwise Graph's 401 code 190. */
export function requireKnownToken(request: FastifyRequest, accounts: AccountRegistry): string {
  const token = accessTokenOf(request);
  if (!token || !accounts.isKnownToken(token)) throw invalidToken();
  return token;
}
