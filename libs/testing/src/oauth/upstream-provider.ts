import type { Server } from 'node:http';
import type { ClientMetadata, KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from '../free-port';
import type { Browser } from './browser';
import { formAction } from './browser';

/** A person with an account at the upstream provider. */
export interface UpstreamAccount {
  sub: string;
  preferred_username?: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
}

export type UpstreamClientAuth =
  'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt';

export interface UpstreamClient {
  id: string;
  /** The shared secret; unused with `private_key_jwt` (the provider then holds none). */
  secret: string;
  redirectUris: string[];
  /** This client's token endpoint authentication, over the provider's `authMethod`. */
  authMethod?: UpstreamClientAuth;
  /** `token_endpoint_auth_signing_alg` for the two JWT methods. */
  signingAlg?: string;
  /** Where the provider fetches the client's public keys (`private_key_jwt`). */
  jwksUri?: string;
  /** OpenID Connect Back-Channel Logout: where the provider posts its logout tokens. */
  backchannelLogoutUri?: string;
  /** With `backchannelLogoutUri`: ID and logout tokens carry `sid`. */
  backchannelLogoutSessionRequired?: boolean;
}

export interface UpstreamProviderOptions {
  accounts: UpstreamAccount[];
  /** The gateway's client at this provider: a static confidential client. */
  client: UpstreamClient;
  /** More static clients (another provider entry of the gateway's at the same issuer). */
  extraClients?: UpstreamClient[];
  /** The clients' token endpoint authentication: `client_secret_basic` by default. */
  authMethod?: UpstreamClientAuth;
}

export interface UpstreamProvider {
  /** `http://localhost:<port>`: another host than the gateway's 127.0.0.1, so the two keep their cookies apart. */
  issuer: string;
  /** Adds or changes an account (claims the next sign-in returns). */
  setAccount(account: UpstreamAccount): void;
  stop(): Promise<void>;
}

/**
 * A second, real OpenID provider (node-oidc-provider) for the gateway to sign in through: its own issuer
 * on a free port, its own accounts, a static confidential client, ID tokens carrying the profile and
 * email claims. Its sign-in page is one form (a username, no password) and consent is implied, so a
 * test drives it with plain HTTP (`signInUpstream`); its Cancel button answers `access_denied`.
 */
export async function startUpstreamProvider(options: UpstreamProviderOptions): Promise<UpstreamProvider> {
  const { default: Provider } = await import('oidc-provider');
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  const byUsername = (name: string) =>
    [...accounts.values()].find((a) => (a.preferred_username ?? a.sub) === name);
  const provider = new Provider(issuer, {
    clients: [options.client, ...(options.extraClients ?? [])].map((c) => {
      const method = c.authMethod ?? options.authMethod ?? 'client_secret_basic';
      return {
        client_id: c.id,
        ...(method === 'private_key_jwt' ? {} : { client_secret: c.secret }),
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: method,
        ...(c.signingAlg === undefined ? {} : { token_endpoint_auth_signing_alg: c.signingAlg }),
        ...(c.jwksUri === undefined ? {} : { jwks_uri: c.jwksUri }),
        ...(c.backchannelLogoutUri === undefined
          ? {}
          : {
              backchannel_logout_uri: c.backchannelLogoutUri,
              backchannel_logout_session_required: c.backchannelLogoutSessionRequired === true,
            }),
      } as ClientMetadata;
    }),
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
    },
    // The profile and email claims in the ID token itself, so the gateway needs no userinfo call.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...account }) };
    },
    // Names apart from the gateway's (also oidc-provider): a plain test browser keeps one cookie per name.
    cookies: {
      keys: ['upstream-test-cookie-key'],
      names: {
        session: '_up_session',
        interaction: '_up_interaction',
        resume: '_up_resume',
      },
    },
    // Back-channel logout: signing out at the provider posts a logout token to each client of the
    // browser session that registered a backchannel_logout_uri.
    features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
    // oidc-provider refuses to fetch from loopback and private addresses (SSRF protection, through the
    // dispatcher it passes); the gateway whose keys it fetches for private_key_jwt is on 127.0.0.1 here.
    fetch: (url, options) => {
      const { dispatcher: _loopbackRefused, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    // Client assertions in every algorithm MAS offers (oidc-provider allows only the *256 ones by default).
    enabledJWA: {
      clientAuthSigningAlgValues: [
        ...['HS', 'RS', 'PS', 'ES'].flatMap((family) => ['256', '384', '512'].map((bits) => family + bits)),
      ] as never,
    },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is implied: every requested scope is granted at once.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing !== undefined) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(\/login|\/abort)?$/.exec(ctx.path);
    if (match === null) {
      await next();
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET' && match[2] === undefined) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Upstream sign-in</title>
<form method="post" action="/interaction/${details.uid}/login"><input name="username"><button>Sign in</button></form>
<form method="post" action="/interaction/${details.uid}/abort"><button>Cancel</button></form>`;
      return;
    }
    if (ctx.method !== 'POST') {
      await next();
      return;
    }
    if (match[2] === '/abort') {
      await provider.interactionFinished(ctx.req, ctx.res, {
        error: 'access_denied',
        error_description: 'The user cancelled the sign-in',
      });
      return;
    }
    const body = new URLSearchParams(await readBody(ctx.req));
    const account = byUsername(body.get('username') ?? '');
    if (account === undefined) {
      ctx.status = 401;
      ctx.body = 'no such user';
      return;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account.sub } });
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    issuer,
    setAccount: (account) => {
      accounts.set(account.sub, account);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function readBody(req: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      resolve(text);
    });
    req.on('error', reject);
  });
}

/**
 * At the provider, as the person: opens its authorization URL (where the gateway sent the browser),
 * signs in as `username` (or cancels) and returns where the provider sends the browser back (the
 * gateway's callback). A `form_post` answer is posted as the provider's page would, and the URL returned
 * is where the gateway's answer to that post sends the browser.
 */
export async function signInUpstream(
  browser: Browser,
  authorizationUrl: string,
  upstream: UpstreamProvider,
  username: string | { cancel: true },
): Promise<URL> {
  const first = await browser.follow(await browser.get(authorizationUrl), upstream.issuer);
  // Still signed in there: the provider answers at once.
  if (first.redirect !== undefined || isFormPost(first.page?.html)) return backToClient(browser, first);
  const html = first.page?.html ?? '';
  const cancel = typeof username !== 'string';
  const action = new URL(formAction(html, cancel ? '/abort' : '/login'), upstream.issuer).toString();
  const answer = await browser.follow(
    await browser.post(action, cancel ? {} : { username }),
    upstream.issuer,
  );
  return backToClient(browser, answer);
}

function isFormPost(html: string | undefined): boolean {
  return html?.includes('<title>Submitting Callback</title>') === true;
}

/**
 * Where the provider sends the browser: a redirect, or (response_mode=form_post) a page whose script
 * posts the answer to the client, posted here as the script would; then the URL the client's answer to
 * that post sends the browser to.
 */
async function backToClient(browser: Browser, answer: Awaited<ReturnType<Browser['follow']>>): Promise<URL> {
  if (answer.redirect !== undefined) return answer.redirect;
  const answerHtml = answer.page?.html ?? '';
  const posted = /<form method="post" action="([^"]+)">/.exec(answerHtml);
  if (!isFormPost(answerHtml) || posted?.[1] === undefined)
    throw new Error(`the upstream provider did not send the browser back:\n${answerHtml.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of answerHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    if (input[1] !== undefined) fields[input[1]] = unescapeHtml(input[2] ?? '');
  const target = unescapeHtml(posted[1]);
  const response = await browser.post(target, fields);
  const location = response.headers.get('location');
  if (location === null) throw new Error(`the client answered the form_post with ${response.status}`);
  return new URL(location, target);
}

/**
 * Signs the browser out at the provider (its end-session page, confirmed): the provider then posts a
 * back-channel logout token to each client of that session that asked for one, before it answers.
 */
export async function signOutUpstream(browser: Browser, upstream: UpstreamProvider): Promise<void> {
  const page = await browser.follow(await browser.get(`${upstream.issuer}/session/end`), upstream.issuer);
  const html = page.page?.html ?? '';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (xsrf === undefined) throw new Error(`no sign-out form at the provider:\n${html.slice(0, 500)}`);
  const action = new URL(formAction(html, '/session/end/confirm'), upstream.issuer).toString();
  const done = await browser.post(action, { xsrf, logout: 'yes' });
  if (done.status >= 400) throw new Error(`the provider answered the sign-out with ${String(done.status)}`);
}
