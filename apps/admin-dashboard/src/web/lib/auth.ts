/** The page's settings, served by the dashboard's server at /config.json (no inline script). */
export interface DashboardSettings {
  issuer: string;
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  /** Whether the server proxies the RTC service's admin API (DASHBOARD_RTC_ADMIN_URL). */
  rtcAdmin: boolean;
  /** Whether the server proxies the sync proxy's admin API (DASHBOARD_SYNC_ADMIN_URL). */
  syncAdmin: boolean;
}

export const ADMIN_SCOPE = 'urn:mas:admin';
const SCOPE = `openid ${ADMIN_SCOPE}`;
const PENDING_KEY = 'dashboard.signin';
const TOKENS_KEY = 'dashboard.tokens';
/** Refresh this long before the access token expires, so no call meets an expired one. */
const REFRESH_MARGIN_MS = 60_000;

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope: string;
}

interface Pending {
  state: string;
  verifier: string;
  returnTo: string;
}

/** Why signing in ended without a session: shown to the person as is. */
export class SignInRefused extends Error {
  constructor(
    message: string,
    /** The account is not an administrator (the scope policy refused urn:mas:admin). */
    readonly notAdmin: boolean,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

function randomString(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(data);
}

function base64url(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * The OAuth authorization code flow with PKCE (S256), as a public client: the dashboard keeps no
 * secret. Tokens live in sessionStorage: one tab's sign-in, gone when the tab closes.
 */
export class AuthSession {
  private tokens: Tokens | null;
  private refreshing: Promise<Tokens> | null = null;
  private listeners = new Set<() => void>();

  constructor(
    private readonly settings: DashboardSettings,
    private readonly storage: Storage = sessionStorage,
  ) {
    const saved = storage.getItem(TOKENS_KEY);
    this.tokens = saved === null ? null : (JSON.parse(saved) as Tokens);
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Leaves for the auth service's sign-in page; `returnTo` is where the callback comes back to. */
  async signIn(returnTo: string): Promise<void> {
    const pending: Pending = { state: randomString(16), verifier: randomString(32), returnTo };
    this.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const url = new URL(this.settings.authorizationEndpoint);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('redirect_uri', this.settings.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', SCOPE);
    url.searchParams.set('state', pending.state);
    url.searchParams.set('code_challenge', await challenge(pending.verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    window.location.assign(url.toString());
  }

  /** The callback: checks the state, exchanges the code; answers where to go next. */
  async completeSignIn(callback: URL): Promise<string> {
    const raw = this.storage.getItem(PENDING_KEY);
    this.storage.removeItem(PENDING_KEY);
    const pending = raw === null ? null : (JSON.parse(raw) as Pending);
    if (pending === null || callback.searchParams.get('state') !== pending.state)
      throw new SignInRefused(
        'This sign-in was not started here, or has already been used. Sign in again.',
        false,
      );
    const error = callback.searchParams.get('error');
    if (error !== null) {
      const description = callback.searchParams.get('error_description') ?? error;
      // The scope policy refuses urn:mas:admin to anyone but administrators (invalid_scope).
      const notAdmin = error === 'invalid_scope' || /admin/i.test(description);
      throw new SignInRefused(description, notAdmin);
    }
    const code = callback.searchParams.get('code');
    if (code === null) throw new SignInRefused('The auth service sent no authorization code.', false);
    const tokens = await this.tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.settings.redirectUri,
      code_verifier: pending.verifier,
    });
    // Normally refused at the sign-in already (above); a token without the scope is refused here too.
    if (tokens.scope !== '' && !tokens.scope.split(' ').includes(ADMIN_SCOPE)) {
      await this.revoke(tokens);
      throw new SignInRefused('Your account is not an administrator of this server.', true);
    }
    this.store(tokens);
    return pending.returnTo;
  }

  /**
   * A valid access token, refreshed first when it is about to expire (or when `force`d after a 401).
   * Concurrent callers share one refresh: a refresh token is single-use (rotated).
   */
  async accessToken(force = false): Promise<string> {
    const tokens = this.tokens;
    if (tokens === null) throw new SignInRefused('Not signed in.', false);
    if (!force && tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
    return (await this.refresh()).accessToken;
  }

  /** When the next silent refresh is due, in milliseconds from now (null when signed out). */
  refreshDueIn(): number | null {
    return this.tokens === null ? null : Math.max(0, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
  }

  refresh(): Promise<Tokens> {
    const tokens = this.tokens;
    if (tokens?.refreshToken == null) {
      this.clear();
      return Promise.reject(new SignInRefused('Your session has ended. Sign in again.', false));
    }
    this.refreshing ??= this.tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
      .then(
        (fresh) => {
          this.store(fresh);
          return fresh;
        },
        (err: unknown) => {
          this.clear();
          throw err;
        },
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Revokes the tokens at the auth service (RFC 7009), then forgets them. */
  async signOut(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens !== null) await this.revoke(tokens);
  }

  private async revoke(tokens: Tokens): Promise<void> {
    const revoke = async (token: string, hint: string) => {
      await fetch('/oauth2/revoke', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: hint, client_id: this.settings.clientId }),
      });
    };
    if (tokens.refreshToken !== null) await revoke(tokens.refreshToken, 'refresh_token');
    await revoke(tokens.accessToken, 'access_token');
  }

  private async tokenRequest(params: Record<string, string>): Promise<Tokens> {
    const res = await fetch('/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ ...params, client_id: this.settings.clientId }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      refresh_token?: string;
      expires_in?: number;
      scope?: string;
      error?: string;
      error_description?: string;
    };
    if (!res.ok || body.access_token === undefined)
      throw new SignInRefused(
        body.error_description ?? body.error ?? `The token endpoint answered ${res.status}`,
        false,
      );
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? null,
      expiresAt: Date.now() + (body.expires_in ?? 300) * 1000,
      scope: body.scope ?? '',
    };
  }

  private store(tokens: Tokens): void {
    this.tokens = tokens;
    this.storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    for (const l of this.listeners) l();
  }

  private clear(): void {
    this.tokens = null;
    this.storage.removeItem(TOKENS_KEY);
    for (const l of this.listeners) l();
  }
}
