import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import { hashToken } from '../token-format/token-format';

export type SessionKind = 'oauth' | 'compat' | 'browser';

/** One line of the account page's session list. */
export interface AccountSession {
  kind: SessionKind;
  /** OAuth: the grant id; compat: the session id; browser: the row key of oidc-provider's Session. */
  id: string;
  /** The Matrix device (OAuth and compat sessions); a browser session has none. */
  deviceId: string | null;
  /** What signed in: the client's registered name, "Legacy login" or "Browser". */
  client: string;
  signedInAt: Date;
  /** When it last got tokens (login, refresh) and from which address; null if never recorded. */
  lastActiveAt: Date | null;
  lastActiveIp: string | null;
  /** This very browser (the page's own session). */
  current: boolean;
}

/**
 * A user's live sessions of every kind, as the account page lists them: OAuth sessions (a client and a
 * Matrix device each), compat sessions (legacy `/login`, a device each) and browser sessions on this
 * service (oidc-provider's Session: signed in here, no device).
 */
export class AccountSessions {
  constructor(
    private readonly provider: Provider,
    private readonly store: AuthStore,
  ) {}

  async list(user: User, currentBrowserSessionId: string | undefined): Promise<AccountSession[]> {
    const oauth = await this.store.sessions.activeForUser(user.id);
    const names = new Map<string, string>();
    for (const clientId of new Set(oauth.map((s) => s.clientId))) {
      const client = await this.provider.Client.find(clientId);
      names.set(clientId, client?.clientName ?? clientId);
    }
    const oauthActivity = await this.store.sessions.activityForUser(user.id);
    const compat = await this.store.compat.activeForUser(user.id);
    const compatActivity = await this.store.compat.activityForUser(user.id);
    const browsers = await this.store.payloads.browserSessionsOf(user.id);
    const currentKey = currentBrowserSessionId === undefined ? undefined : hashToken(currentBrowserSessionId);
    const sessions: AccountSession[] = [
      ...oauth.map((s) => ({
        kind: 'oauth' as const,
        id: s.grantId,
        deviceId: s.deviceId,
        client: names.get(s.clientId) ?? s.clientId,
        signedInAt: s.createdAt,
        lastActiveAt: oauthActivity.get(s.grantId)?.lastActiveAt ?? null,
        lastActiveIp: oauthActivity.get(s.grantId)?.lastActiveIp ?? null,
        current: false,
      })),
      ...compat.map((s) => ({
        kind: 'compat' as const,
        id: s.id,
        deviceId: s.deviceId,
        client: 'Legacy login',
        signedInAt: s.createdAt,
        lastActiveAt: compatActivity.get(s.id)?.lastActiveAt ?? null,
        lastActiveIp: compatActivity.get(s.id)?.lastActiveIp ?? null,
        current: false,
      })),
      ...browsers.map((b) => ({
        kind: 'browser' as const,
        id: b.key,
        deviceId: null,
        client: 'Browser',
        // oidc-provider's loginTs is in seconds.
        signedInAt: new Date(Number(b.payload['loginTs'] ?? 0) * 1000),
        // oidc-provider keeps no address or activity for its browser sessions.
        lastActiveAt: null,
        lastActiveIp: null,
        current: b.key === currentKey,
      })),
    ];
    return sessions.sort((a, b) => b.signedInAt.getTime() - a.signedInAt.getTime());
  }
}
