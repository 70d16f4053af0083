import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import type { AuthStore, UpstreamLink, User } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { renderTemplate } from './claims-template';
import type { UpstreamClients } from './upstream-clients';
import type { UpstreamProviderConfig } from './upstream-config';
import type { ProviderSync } from './provider-sync';
import type {
  ImportedClaims,
  PendingAuthorization,
  UpstreamAction,
  UpstreamSession,
  UpstreamSessions,
} from './upstream-sessions';

/** A state, a link id, a binding: 32 random bytes, base64url. */
export const RANDOM_ID = /^[A-Za-z0-9_-]{43}$/;

export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Why a callback cannot go on; each has its page (upstream-pages.ts). */
export type CallbackProblem =
  | 'upstream-error'
  | 'unknown-state'
  | 'other-browser'
  | 'wrong-provider'
  | 'exchange-failed'
  | 'no-subject'
  | 'signed-out'
  | 'linked-elsewhere';

export type CallbackOutcome =
  | { kind: 'problem'; problem: CallbackProblem; detail?: string }
  /** The sign-in page's flow: an existing link (`userId` set) or the link page next. */
  | { kind: 'session'; id: string; session: UpstreamSession }
  /** The account page's flow: linked (or already was) to the signed-in user. */
  | { kind: 'linked'; link: UpstreamLink; added: boolean };

/**
 * The upstream side of a sign-in: starting an authorization at a provider (state, nonce and PKCE
 * verifier kept in Redis), and answering its callback (the code exchanged and the ID token checked by
 * openid-client, the claims imported by the provider's templates). What the browser then sees is the
 * controller's; what an unlinked subject may become is `UpstreamRegistration`'s.
 */
export class UpstreamSignIn {
  private readonly log = new Logger('upstream');
  private readonly byId: ReadonlyMap<string, UpstreamProviderConfig>;

  constructor(
    private readonly config: AuthConfig,
    private readonly store: AuthStore,
    private readonly clients: UpstreamClients,
    private readonly sessions: UpstreamSessions,
    private readonly sync: ProviderSync,
    private readonly clock: Clock,
  ) {
    this.byId = new Map(config.upstream.providers.map((p) => [p.id, p]));
  }

  /** The enabled providers, in the file's order. */
  get providers(): readonly UpstreamProviderConfig[] {
    return this.config.upstream.providers;
  }

  provider(id: string): UpstreamProviderConfig | null {
    return this.byId.get(id) ?? null;
  }

  callbackUrl(provider: UpstreamProviderConfig): string {
    return `${this.config.baseUrl}/upstream/callback/${encodeURIComponent(provider.id)}`;
  }

  /** Where to send the browser: the provider's authorization endpoint, the pending state in Redis. */
  async start(provider: UpstreamProviderConfig, action: UpstreamAction, binding: string): Promise<URL> {
    const state = randomId();
    const nonce = oidc.randomNonce();
    const codeVerifier = (await this.clients.usesPkce(provider)) ? oidc.randomPKCECodeVerifier() : null;
    const pending: PendingAuthorization = { providerId: provider.id, nonce, codeVerifier, binding, action };
    const url = await this.clients.authorizationUrl(provider, {
      redirectUri: this.callbackUrl(provider),
      state,
      nonce,
      codeVerifier,
    });
    await this.sessions.putAuthorization(state, pending);
    return url;
  }

  /**
   * The provider's answer. `params` are the response's parameters (query or form_post body);
   * `binding` is the browser's cookie; `signedInUserId` the account page's signed-in user, if any.
   */
  async callback(
    provider: UpstreamProviderConfig,
    params: URLSearchParams,
    binding: string | undefined,
    signedInUserId: string | null,
  ): Promise<CallbackOutcome> {
    const state = params.get('state') ?? '';
    if (params.has('error')) {
      // The provider refused or the user cancelled: the pending state is spent either way.
      if (RANDOM_ID.test(state)) await this.sessions.takeAuthorization(state);
      return { kind: 'problem', problem: 'upstream-error', detail: errorText(params) };
    }
    const pending = RANDOM_ID.test(state) ? await this.sessions.takeAuthorization(state) : null;
    if (pending === null) return { kind: 'problem', problem: 'unknown-state' };
    if (binding === undefined || binding !== pending.binding)
      return { kind: 'problem', problem: 'other-browser' };
    if (pending.providerId !== provider.id) return { kind: 'problem', problem: 'wrong-provider' };
    const callbackUrl = new URL(this.callbackUrl(provider));
    for (const [k, v] of params) callbackUrl.searchParams.append(k, v);
    let claims: Record<string, unknown>;
    try {
      ({ claims } = await this.clients.identity(provider, callbackUrl, {
        state,
        nonce: pending.nonce,
        codeVerifier: pending.codeVerifier,
      }));
    } catch (err) {
      this.log.warn({
        msg: 'upstream code exchange failed',
        provider: provider.id,
        reason: err instanceof Error ? err.message : String(err),
        // The provider's OAuth error (openid-client's ResponseBodyError), what an operator needs to fix
        // the client's registration there: e.g. invalid_client when the client authentication is refused.
        ...(err instanceof oidc.ResponseBodyError
          ? {
              error: err.error,
              ...(err.error_description === undefined ? {} : { errorDescription: err.error_description }),
            }
          : {}),
      });
      return { kind: 'problem', problem: 'exchange-failed' };
    }
    const subject = renderTemplate(provider.claims.subject, claims);
    if (subject === null) return { kind: 'problem', problem: 'no-subject' };
    await this.sync.synced();
    const existing = await this.store.upstream.findLink(provider.id, subject);
    const imported = importClaims(provider, claims);
    if (pending.action.kind === 'link') {
      // The account page's flow: the same person must still be signed in there.
      if (signedInUserId !== pending.action.userId) return { kind: 'problem', problem: 'signed-out' };
      if (existing !== null) {
        if (existing.userId !== signedInUserId) return { kind: 'problem', problem: 'linked-elsewhere' };
        return { kind: 'linked', link: existing, added: false };
      }
      const link = await this.store.upstream.addLink(
        { providerId: provider.id, subject, userId: signedInUserId, humanAccountName: imported.accountName },
        new Date(this.clock()),
      );
      if (link === null) return { kind: 'problem', problem: 'linked-elsewhere' };
      return { kind: 'linked', link, added: true };
    }
    const sid = claims['sid'];
    const session: UpstreamSession = {
      providerId: provider.id,
      subject,
      idToken: { sub: String(claims['sub']), sid: typeof sid === 'string' ? sid : null },
      uid: pending.action.kind === 'login' ? pending.action.uid : null,
      compatLoginId: pending.action.kind === 'compat-sso' ? pending.action.compatLoginId : null,
      binding: pending.binding,
      claims: imported,
      userId: existing?.userId ?? null,
    };
    const id = randomId();
    await this.sessions.putSession(id, session);
    return { kind: 'session', id, session };
  }

  /**
   * The account an upstream session signs in as, for its interaction, taken once. Null when there is
   * none (expired, another interaction's, not decided yet).
   */
  async takeDecided(
    id: string,
    uid: string,
  ): Promise<{ session: UpstreamSession; user: User | null } | null> {
    if (!RANDOM_ID.test(id)) return null;
    const session = await this.sessions.getSession(id);
    if (session === null || session.uid !== uid || session.userId === null) return null;
    if ((await this.sessions.takeSession(id)) === null) return null;
    return { session, user: await this.store.users.findById(session.userId) };
  }

  /**
   * Remembers that this decided session signs `userId` in through its provider for the interaction
   * `uid`, with the ID token's `sub` and `sid`: the browser session it ends in is bound when the
   * authorization resumes (oidc/upstream-sign-in-binding.ts), for back-channel logout.
   */
  async recordSignIn(session: UpstreamSession, userId: string, uid: string): Promise<void> {
    if (session.idToken === undefined) return;
    await this.store.upstream.recordSignIn(
      {
        providerId: session.providerId,
        sub: session.idToken.sub,
        sid: session.idToken.sid,
        userId,
        interactionUid: uid,
      },
      new Date(this.clock()),
    );
  }

  /**
   * The same for the legacy SSO page: the decided session of that compat login, started in this
   * browser (`binding`, its cookie), taken once. Null when there is none.
   */
  async takeDecidedCompat(
    id: string,
    binding: string | undefined,
  ): Promise<{ session: UpstreamSession & { compatLoginId: string }; user: User | null } | null> {
    if (!RANDOM_ID.test(id) || binding === undefined) return null;
    const session = await this.sessions.getSession(id);
    const compatLoginId = session?.compatLoginId ?? null;
    if (session === null || compatLoginId === null || session.userId === null) return null;
    if (session.binding !== binding) return null;
    if ((await this.sessions.takeSession(id)) === null) return null;
    return { session: { ...session, compatLoginId }, user: await this.store.users.findById(session.userId) };
  }
}

/** The provider's error as one line for the page: its code and description, cut short. */
function errorText(params: URLSearchParams): string {
  const code = (params.get('error') ?? '').slice(0, 64);
  const description = (params.get('error_description') ?? '').slice(0, 200);
  return description === '' ? code : `${code}: ${description}`;
}

/** The values the provider's `claims_imports` templates give for these claims. */
export function importClaims(
  provider: UpstreamProviderConfig,
  claims: Record<string, unknown>,
): ImportedClaims {
  const imports = provider.claims;
  const rendered = (action: string, template: Parameters<typeof renderTemplate>[0]) =>
    action === 'ignore' ? null : renderTemplate(template, claims);
  return {
    localpart: rendered(imports.localpart.action, imports.localpart.template)?.toLowerCase() ?? null,
    displayName: rendered(imports.displayname.action, imports.displayname.template),
    email: rendered(imports.email.action, imports.email.template),
    // An address counts as confirmed only when the provider says so.
    emailVerified: claims['email_verified'] === true,
    accountName: imports.accountName === null ? null : renderTemplate(imports.accountName, claims),
  };
}
