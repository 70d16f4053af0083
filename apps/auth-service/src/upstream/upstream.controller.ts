import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { isUsableUser } from '../accounts/usable-user';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { FormBody } from '../pages/form-fields';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { ssoExpiredPage, ssoLoginOpen } from '../sso-login/sso-login';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText, type AuthLimits } from '../rate-limits/auth-limits';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_LIMITS,
  AUTH_STORE,
  BACKCHANNEL_LOGOUT,
  CLOCK,
  CSRF_KEY,
  OIDC_PROVIDER,
  UPSTREAM_REGISTRATION,
  UPSTREAM_SESSIONS,
  UPSTREAM_SIGN_IN,
} from '../tokens';
import type { BackchannelLogout } from './backchannel-logout';
import { bindingOf, setBinding } from './browser-binding';
import { callbackProblemPage, linkPage } from './upstream-pages';
import type { UpstreamRegistration } from './upstream-registration';
import type { UpstreamSession, UpstreamSessions } from './upstream-sessions';
import { RANDOM_ID, randomId, type UpstreamSignIn } from './upstream-sign-in';
import type { UpstreamProviderConfig } from './upstream-config';
import type { UpstreamAction } from './upstream-sessions';

type Form = Record<string, string | undefined>;

/** The parameters an authorization response may carry (RFC 6749, RFC 9207); the rest are dropped. */
const RESPONSE_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];
/** The longest form_post answer turned into a redirect (its query string, in bytes of ASCII). */
const MAX_CALLBACK_QUERY = 8 * 1024;
/** oidc-provider's interaction ids. */
const INTERACTION_UID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * MAS's upstream routes: `/upstream/authorize/{provider_id}` starts a sign-in (the sign-in page's
 * button, with its interaction) or a link (the account page's button, with its CSRF token);
 * `/upstream/callback/{provider_id}` takes the provider's answer (query or form_post);
 * `/upstream/link/{link_id}` is the page a first sign-in lands on. Every failure is a page, never a 500.
 */
@Controller('upstream')
export class UpstreamController {
  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(AUTH_LIMITS) private readonly limits: AuthLimits,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(UPSTREAM_SIGN_IN) private readonly signIn: UpstreamSignIn,
    @Inject(UPSTREAM_REGISTRATION) private readonly registration: UpstreamRegistration,
    @Inject(UPSTREAM_SESSIONS) private readonly sessions: UpstreamSessions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BACKCHANNEL_LOGOUT) private readonly backchannel: BackchannelLogout,
  ) {}

  @Get('authorize/:providerId')
  async authorize(
    @Param('providerId') providerId: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const provider = this.signIn.provider(providerId);
    if (provider === null) {
      unknownProvider(reply);
      return;
    }
    const action = await this.action(provider, query, req, reply);
    if (action === null) return;
    const binding = bindingOf(req) ?? randomId();
    let url: URL;
    try {
      url = await this.signIn.start(provider, action, binding);
    } catch {
      // Discovery failed (the provider is down or misconfigured); logged by openid-client's caller.
      sendHtml(
        reply,
        messagePage(
          'Provider unavailable',
          `${nameOf(provider)} cannot be reached right now. Try again later.`,
        ),
        503,
      );
      return;
    }
    setBinding(reply, binding, this.config.issuer.startsWith('https:'));
    void reply.redirect(url.toString(), 303);
  }

  @Get('callback/:providerId')
  async callback(
    @Param('providerId') providerId: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const provider = this.signIn.provider(providerId);
    if (provider === null) {
      unknownProvider(reply);
      return;
    }
    const limited = await this.limits.signIn.perIp.consume(req.ip);
    if (!limited.allowed) {
      void reply.header('Retry-After', retryAfterSeconds(limited.retryAfterMs));
      const wait = waitText(limited.retryAfterMs);
      sendHtml(reply, messagePage('Too many attempts', `Try again in ${wait}.`), 429);
      return;
    }
    const signedIn = await this.signedInUserId(req, reply);
    const outcome = await this.signIn.callback(provider, responseParams(query), bindingOf(req), signedIn);
    switch (outcome.kind) {
      case 'problem':
        await this.audit.note({
          type: 'user.login.failed',
          outcome: 'failed',
          actor: { kind: 'anonymous' },
          subject: null,
          origin: originOf(req),
          details: { method: 'upstream', provider: provider.id, reason: outcome.problem },
        });
        sendHtml(reply, callbackProblemPage(outcome.problem, outcome.detail), 400);
        return;
      case 'linked':
        if (outcome.added) await this.noteLinked(req, outcome.link.userId, provider, 'account');
        void reply.redirect('/account/?done=linked', 303);
        return;
      case 'session':
        void reply.redirect(nextStep(outcome.id, outcome.session), 303);
        return;
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${String(never)}`);
      }
    }
  }

  /**
   * `response_mode=form_post`: the answer arrives as a cross-site POST, which carries no SameSite=Lax
   * cookie; answered with a redirect to the same URL as a GET (a top-level navigation, which does), so
   * the browser binding is checked either way.
   */
  /**
   * OpenID Connect Back-Channel Logout from the provider (server to server, no browser): MAS's route,
   * statuses and errors (200 with no body; 400 `invalid_request` for a token that does not validate;
   * 404 for a provider not configured). What it ends is the provider's `on_backchannel_logout`.
   */
  @Post('backchannel-logout/:providerId')
  async backchannelLogout(
    @Param('providerId') providerId: string,
    @FormBody() body: Form,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.backchannel.handle(this.signIn.provider(providerId), body['logout_token']);
    void reply.header('cache-control', 'no-store');
    if (answer.status === 200) void reply.code(200).send();
    else void reply.code(answer.status).send(answer.body);
  }

  @Post('callback/:providerId')
  callbackPost(
    @Param('providerId') providerId: string,
    @FormBody() body: Form,
    @Res() reply: FastifyReply,
  ): void {
    const provider = this.signIn.provider(providerId);
    if (provider === null) {
      unknownProvider(reply);
      return;
    }
    const query = responseParams(body).toString();
    // A real answer (code, state, iss…) is a few hundred bytes; an oversized one would become a
    // Location header past what browsers and Node's HTTP parser take (16 KiB), so it ends here.
    if (query.length > MAX_CALLBACK_QUERY) {
      sendHtml(
        reply,
        messagePage('Sign-in failed', 'The sign-in provider sent an answer too large to read. Try again.'),
        400,
      );
      return;
    }
    void reply.redirect(`/upstream/callback/${encodeURIComponent(provider.id)}?${query}`, 303);
  }

  @Get('link/:linkId')
  async showLink(
    @Param('linkId') linkId: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const found = await this.linkSession(linkId, req, reply);
    if (found === null) return;
    const { session, provider } = found;
    if (session.userId !== null) {
      void reply.redirect(nextStep(linkId, session), 303);
      return;
    }
    const decision = await this.registration.decide(provider, session);
    if (decision.kind === 'refused') {
      sendHtml(reply, messagePage(decision.title, decision.message), 409);
      return;
    }
    sendHtml(reply, linkPage(this.linkContext(linkId, provider), decision));
  }

  @Post('link/:linkId')
  async submitLink(
    @Param('linkId') linkId: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const found = await this.linkSession(linkId, req, reply);
    if (found === null) return;
    const { session, provider } = found;
    if (!csrfValid(this.csrfKey, body['csrf'], 'upstream-link', linkId)) {
      sendHtml(
        reply,
        messagePage('Request refused', 'The form was not sent from this page. Go back and try again.'),
        403,
      );
      return;
    }
    if (session.userId !== null) {
      void reply.redirect(nextStep(linkId, session), 303);
      return;
    }
    const context = this.linkContext(linkId, provider);
    if (body['action'] !== 'link') {
      const limited = await this.limits.registrationPerIp?.consume(req.ip);
      if (limited?.allowed === false) {
        void reply.header('Retry-After', retryAfterSeconds(limited.retryAfterMs));
        const error = `Too many new accounts from your network. Try again in ${waitText(limited.retryAfterMs)}.`;
        await this.linkAgain(
          reply,
          provider,
          session,
          { ...context, error, username: body['username'] ?? '' },
          429,
        );
        return;
      }
    }
    // Claimed for the time it takes: a second submission finds nothing and cannot register twice.
    if ((await this.sessions.takeSession(linkId)) === null) {
      expired(reply);
      return;
    }
    const result = await this.registration.complete(provider, session, {
      username: body['username'],
      importDisplayName: body['import_displayname'] === 'on',
      importEmail: body['import_email'] === 'on',
    });
    if (!result.ok) {
      if (result.refused === true) {
        sendHtml(reply, messagePage('Cannot continue', result.error), 409);
        return;
      }
      await this.sessions.putSession(linkId, session);
      await this.linkAgain(
        reply,
        provider,
        session,
        { ...context, error: result.error, username: body['username'] ?? '' },
        400,
      );
      return;
    }
    if (result.registered)
      await this.audit.note({
        type: 'account.upstream.registered',
        outcome: 'succeeded',
        actor: { kind: 'user', id: result.user.id },
        subject: result.user.id,
        origin: originOf(req),
        details: { provider: provider.id },
      });
    await this.noteLinked(req, result.user.id, provider, result.registered ? 'registration' : 'sign-in');
    const decided: UpstreamSession = { ...session, userId: result.user.id };
    await this.sessions.putSession(linkId, decided);
    void reply.redirect(nextStep(linkId, decided), 303);
  }

  /** What the authorize request is for, or null after answering a refusal. */
  private async action(
    provider: UpstreamProviderConfig,
    query: Record<string, unknown>,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<UpstreamAction | null> {
    if (query['action'] === 'link') {
      const userId = await this.signedInUserId(req, reply);
      if (userId === null) {
        void reply.redirect('/account/', 303);
        return null;
      }
      const csrf = typeof query['csrf'] === 'string' ? query['csrf'] : undefined;
      if (!csrfValid(this.csrfKey, csrf, 'account', userId, 'upstream-link', provider.id)) {
        sendHtml(reply, messagePage('Request refused', 'Go back to your account page and try again.'), 403);
        return null;
      }
      return { kind: 'link', userId };
    }
    if (query['compat'] !== undefined) {
      // The legacy SSO page's button: its token is bound to that compat login and this provider, so
      // nobody can start someone else's legacy sign-in (and have its login token sent to their app).
      const id = typeof query['compat'] === 'string' ? query['compat'] : '';
      const csrf = typeof query['csrf'] === 'string' ? query['csrf'] : undefined;
      if (!csrfValid(this.csrfKey, csrf, 'compat-sso', id, 'upstream', provider.id)) {
        sendHtml(reply, messagePage('Request refused', 'Go back to the app and sign in again.'), 403);
        return null;
      }
      if (!ssoLoginOpen(await this.store.compat.findSsoLogin(id), this.clock())) {
        sendHtml(reply, ssoExpiredPage(), 404);
        return null;
      }
      return { kind: 'compat-sso', compatLoginId: id };
    }
    const uid = query['interaction'];
    if (
      typeof uid !== 'string' ||
      !INTERACTION_UID.test(uid) ||
      (await this.provider.Interaction.find(uid)) === undefined
    ) {
      expired(reply);
      return null;
    }
    return { kind: 'login', uid };
  }

  /** The session of a link page in this browser, with its provider; null after answering a refusal. */
  private async linkSession(
    linkId: string,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ session: UpstreamSession; provider: UpstreamProviderConfig } | null> {
    const session = RANDOM_ID.test(linkId) ? await this.sessions.getSession(linkId) : null;
    const provider = session === null ? null : this.signIn.provider(session.providerId);
    if (session === null || provider === null) {
      expired(reply);
      return null;
    }
    if (bindingOf(req) !== session.binding) {
      sendHtml(reply, callbackProblemPage('other-browser'), 403);
      return null;
    }
    return { session, provider };
  }

  private async linkAgain(
    reply: FastifyReply,
    provider: UpstreamProviderConfig,
    session: UpstreamSession,
    context: ReturnType<UpstreamController['linkContext']> & { error: string; username: string },
    status: number,
  ): Promise<void> {
    const decision = await this.registration.decide(provider, session);
    if (decision.kind === 'refused') sendHtml(reply, messagePage(decision.title, decision.message), 409);
    else sendHtml(reply, linkPage(context, decision), status);
  }

  private linkContext(linkId: string, provider: UpstreamProviderConfig) {
    return {
      id: linkId,
      csrf: csrfToken(this.csrfKey, 'upstream-link', linkId),
      providerName: nameOf(provider),
      homeserver: this.config.homeserver,
    };
  }

  /** The account page's signed-in user (oidc-provider's browser session), while usable. */
  private async signedInUserId(req: FastifyRequest, reply: FastifyReply): Promise<string | null> {
    const session = await this.provider.Session.get(this.provider.createContext(req.raw, reply.raw));
    if (session.accountId === undefined) return null;
    const user = await this.store.users.findById(session.accountId);
    return isUsableUser(user) ? user.id : null;
  }

  private noteLinked(
    req: FastifyRequest,
    userId: string,
    provider: UpstreamProviderConfig,
    via: 'account' | 'registration' | 'sign-in',
  ): Promise<void> {
    return this.audit.note({
      type: 'account.upstream-link.added',
      outcome: 'succeeded',
      actor: { kind: 'user', id: userId },
      subject: userId,
      origin: originOf(req),
      details: { provider: provider.id, via },
    });
  }
}

/**
 * After a decided session: the step that signs in (the interaction's, or the legacy SSO page's under
 * `/upstream/`, where the binding cookie is sent); else the link page.
 */
function nextStep(id: string, session: UpstreamSession): string {
  if (session.userId === null) return `/upstream/link/${id}`;
  return session.uid === null
    ? `/upstream/compat-sso/${id}`
    : `/interaction/${encodeURIComponent(session.uid)}/upstream/${id}`;
}

function responseParams(source: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of RESPONSE_PARAMS) {
    const value = source[name];
    if (typeof value === 'string') params.set(name, value);
  }
  return params;
}

export function nameOf(provider: UpstreamProviderConfig): string {
  return provider.humanName ?? provider.id;
}

function unknownProvider(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Unknown provider', 'This sign-in provider is not configured here.'), 404);
}

function expired(reply: FastifyReply): void {
  sendHtml(reply, messagePage('This sign-in has expired', 'Go back to the app and start again.'), 400);
}
