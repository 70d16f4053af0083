import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthSession, SignInRefused, type DashboardSettings, type Tokens } from './auth';

const SETTINGS: DashboardSettings = {
  issuer: 'https://auth.example.com/',
  authorizationEndpoint: 'https://auth.example.com/authorize',
  clientId: 'admin-dashboard',
  redirectUri: 'https://admin.example.com/callback',
  rtcAdmin: false,
  syncAdmin: false,
};

/** sessionStorage's interface over a Map. */
function memoryStorage(initial: Record<string, string> = {}): Storage {
  const items = new Map(Object.entries(initial));
  return {
    get length() {
      return items.size;
    },
    clear: () => {
      items.clear();
    },
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => {
      items.delete(k);
    },
    setItem: (k, v) => {
      items.set(k, v);
    },
  };
}

function signedIn(expiresInMs: number): { session: AuthSession; storage: Storage } {
  const tokens: Tokens = {
    accessToken: 'old-access',
    refreshToken: 'old-refresh',
    expiresAt: Date.now() + expiresInMs,
    scope: 'openid urn:mas:admin',
  };
  const storage = memoryStorage({ 'dashboard.tokens': JSON.stringify(tokens) });
  return { session: new AuthSession(SETTINGS, storage), storage };
}

/** The token endpoint: answers each refresh with a new pair after `delayMs`; records the bodies. */
function tokenEndpoint(answer: () => Response, delayMs = 20): URLSearchParams[] {
  const bodies: URLSearchParams[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      expect(url).toBe('/oauth2/token');
      bodies.push(new URLSearchParams(init.body as URLSearchParams));
      await new Promise((r) => setTimeout(r, delayMs));
      return answer();
    }),
  );
  return bodies;
}

const fresh = () =>
  Response.json({
    access_token: 'new-access',
    refresh_token: 'new-refresh',
    expires_in: 300,
    scope: 'openid',
  });

describe('AuthSession tokens', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('uses the access token until a minute before it expires, and says when the refresh is due', async () => {
    const bodies = tokenEndpoint(fresh);
    const { session } = signedIn(5 * 60_000);
    expect(await session.accessToken()).toBe('old-access');
    expect(bodies).toEqual([]);
    const due = session.refreshDueIn() ?? -1;
    expect(due).toBeGreaterThan(4 * 60_000 - 1_000);
    expect(due).toBeLessThanOrEqual(4 * 60_000);
  });

  it('refreshes inside the last minute, once for any number of callers (the refresh token is single-use)', async () => {
    const bodies = tokenEndpoint(fresh);
    const { session, storage } = signedIn(30_000);
    expect(session.refreshDueIn()).toBe(0);
    const tokens = await Promise.all([
      session.accessToken(),
      session.accessToken(),
      session.accessToken(true),
    ]);
    expect(tokens).toEqual(['new-access', 'new-access', 'new-access']);
    expect(bodies.map((b) => Object.fromEntries(b))).toEqual([
      { grant_type: 'refresh_token', refresh_token: 'old-refresh', client_id: 'admin-dashboard' },
    ]);
    expect(JSON.parse(storage.getItem('dashboard.tokens') ?? '{}')).toMatchObject({
      accessToken: 'new-access',
      refreshToken: 'new-refresh',
    });
  });

  it('ends the session when the refresh is refused', async () => {
    tokenEndpoint(() => Response.json({ error: 'invalid_grant' }, { status: 400 }));
    const { session, storage } = signedIn(10_000);
    await expect(session.accessToken()).rejects.toBeInstanceOf(SignInRefused);
    expect(session.signedIn).toBe(false);
    expect(storage.getItem('dashboard.tokens')).toBeNull();
  });
});
