import type { AuthStore, StoredPayload } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { MAS_ADMIN_SCOPE } from '../scopes/matrix-scopes';
import { hashToken, parseToken } from '../token-format/token-format';

/** Who is calling the admin API. */
export type AdminCaller = { kind: 'user'; userId: string } | { kind: 'client'; clientId: string };

/** Why a token is refused, with the status and title MAS answers. */
export interface AdminRefusal {
  status: 401 | 403;
  title: string;
}

/** The fields of oidc-provider's stored token payloads read here. */
interface StoredToken extends StoredPayload {
  accountId?: string;
  clientId?: string;
  scope?: string;
  exp?: number;
}

/**
 * Decides whether a Bearer token may use the admin API: an access token or personal access token of a
 * user who is an admin and neither locked nor deactivated, or a client_credentials token of one of the configured admin clients,
 * live and carrying `urn:mas:admin`. Tokens are read by their SHA-256, as oidc-provider stores them.
 */
export class AdminTokens {
  constructor(
    private readonly store: AuthStore,
    private readonly adminClients: ReadonlySet<string>,
    private readonly clock: Clock,
  ) {}

  async check(value: string): Promise<AdminCaller | AdminRefusal> {
    const parsed = parseToken(value);
    if (parsed?.valid === true && parsed.kind === 'personal_access_token') return this.checkPersonal(value);
    const isAccessToken = parsed?.valid === true && parsed.kind === 'access_token';
    // Client-credentials tokens have oidc-provider's own format; only plausible values are looked up.
    if (!isAccessToken && !/^[A-Za-z0-9_-]{20,128}$/.test(value)) return unknownToken;
    const token: StoredToken | undefined = await this.store.payloads.find(
      isAccessToken ? 'AccessToken' : 'ClientCredentials',
      hashToken(value),
    );
    if (token?.exp === undefined) return unknownToken;
    if (token.exp * 1000 <= this.clock()) return { status: 401, title: 'Access token expired' };
    const scopes = new Set((token.scope ?? '').split(' '));
    if (!scopes.has(MAS_ADMIN_SCOPE)) return { status: 403, title: `Missing ${MAS_ADMIN_SCOPE} scope` };
    if (!isAccessToken) {
      if (token.clientId === undefined || !this.adminClients.has(token.clientId))
        return { status: 403, title: 'Client is not an admin client' };
      return { kind: 'client', clientId: token.clientId };
    }
    if (token.accountId === undefined) return unknownToken;
    return this.adminUser(token.accountId);
  }

  /**
   * MAS's "admin personal tokens": a personal access token carrying urn:mas:admin, acting as a user
   * who is still an admin (the scope could only be given to an admin, but one may have been demoted).
   */
  private async checkPersonal(value: string): Promise<AdminCaller | AdminRefusal> {
    const token = await this.store.personal.findToken(hashToken(value));
    if (!token) return unknownToken;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= this.clock())
      return { status: 401, title: 'Access token expired' };
    if (!token.session.scope.split(' ').includes(MAS_ADMIN_SCOPE))
      return { status: 403, title: `Missing ${MAS_ADMIN_SCOPE} scope` };
    return this.adminUser(token.session.actorUserId);
  }

  private async adminUser(userId: string): Promise<AdminCaller | AdminRefusal> {
    const user = await this.store.users.findById(userId);
    if (!user || user.deactivatedAt !== null) return unknownToken;
    if (user.lockedAt !== null) return { status: 401, title: 'User is locked' };
    // A user demoted after the token was issued loses the API at once.
    if (!user.admin) return { status: 403, title: 'User is not an admin' };
    return { kind: 'user', userId: user.id };
  }
}

const unknownToken: AdminRefusal = { status: 401, title: 'Unknown access token' };
