import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import type { Accounts } from '../accounts/accounts';
import type { SelfRegistration } from '../accounts/self-registration';
import type { SignIn } from '../accounts/sign-in';
import { localpartFromLoginIdentifier } from '../accounts/localpart';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { pendingSecondFactor, pendingUser } from '../mfa/mfa-pending';
import type { SecondFactor } from '../mfa/second-factor';
import { isUsableUser } from '../accounts/usable-user';
import type { Clock } from '@gateway/util';
import { FormBody } from '../pages/form-fields';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { retryAfterSeconds, waitText, type AuthLimits } from '../rate-limits/auth-limits';
import {
  ACCOUNTS,
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_LIMITS,
  AUTH_STORE,
  CLOCK,
  CONSENT_POLICY,
  CSRF_KEY,
  OIDC_PROVIDER,
  SECOND_FACTOR,
  SELF_REGISTRATION,
  SIGN_IN,
  UPSTREAM_SIGN_IN,
} from '../tokens';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in';
import type { ConsentPolicy, ConsentRequest } from './consent-policy';
import { messagePage } from '../pages/layout';
import {
  consentPage,
  enrolledStepPage,
  enrolStepPage,
  loginPage,
  passkeySignInPage,
  registerPage,
  secondFactorPage,
} from './interaction-pages';
import { saveGrant } from './oidc-grant';

type Form = Record<string, string | undefined>;
type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The human side of the authorization flow: sign-in, registration (prompt=create) and consent pages,
 * plain HTML forms that work without JavaScript. oidc-provider ties each interaction to the browser by
 * a signed cookie; every form also carries a CSRF token bound to the interaction. What may be granted,
 * and when to ask, is ConsentPolicy's; this class maps it onto pages and oidc-provider's interaction.
 */
@Controller('interaction')
export class InteractionController {
  /** The display name of each interaction's client, looked up once per request by `details`. */
  private readonly clientNames = new WeakMap<Details, string>();

  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(ACCOUNTS) private readonly accounts: Accounts,
    @Inject(SIGN_IN) private readonly signIn: SignIn,
    @Inject(CONSENT_POLICY) private readonly policy: ConsentPolicy,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(AUTH_LIMITS) private readonly limits: AuthLimits,
    @Inject(SELF_REGISTRATION) private readonly registration: SelfRegistration,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(UPSTREAM_SIGN_IN) private readonly upstream: UpstreamSignIn,
  ) {}

  @Get(':uid')
  async show(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.details(req, reply);
    if (!details || details.uid !== uid) return;
    const name = details.prompt.name;
    if (name === 'create') {
      sendHtml(reply, registerPage(this.registerForm(details)));
      return;
    }
    if (name === 'login') {
      const only = this.upstream.providers.length === 1 ? this.upstream.providers[0] : undefined;
      if (!this.config.passwordLoginEnabled && only !== undefined) {
        // MAS: with passwords off and one provider, the sign-in page is that provider.
        void reply.redirect(upstreamStart(only.id, details.uid), 303);
        return;
      }
      sendHtml(
        reply,
        loginPage({ ...this.loginForm(details), username: loginHint(details, this.config.homeserver) }),
      );
      return;
    }
    return this.consent(details, req, reply);
  }

  @Get(':uid/register')
  async showRegister(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.details(req, reply);
    if (!details || details.uid !== uid) return;
    if (!this.config.registrationEnabled) {
      registrationClosed(reply);
      return;
    }
    sendHtml(reply, registerPage(this.registerForm(details)));
  }

  @Post(':uid/login')
  async login(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    if (!this.config.passwordLoginEnabled) {
      sendHtml(reply, messagePage('Not available', 'This server does not accept passwords.'), 403);
      return;
    }
    const username = body['username'] ?? '';
    const result = await this.signIn.attempt(username, body['password'] ?? '', req.ip);
    if (result.ok && this.secondFactor === null && (await this.store.mfa.hasAnyFactor(result.user.id))) {
      // AUTH_MFA_ENCRYPTION_KEY was unset after this account set up a factor: the password alone is
      // not enough, and the code cannot be checked.
      const error =
        'This account needs a second factor this server cannot check now. Contact the administrator.';
      this.loginAgain(reply, details, username, error, 403);
      return;
    }
    if (result.ok && this.secondFactor !== null) {
      // The password was right; the sign-in is not done until the second factor is (or, when
      // AUTH_MFA_REQUIRED asks for one this account lacks, until it is set up).
      const pending = pendingSecondFactor(this.csrfKey, details.uid, result.user.id, this.clock());
      if (await this.secondFactor.mfa.enabled(result.user.id)) {
        await this.secondFactorStep(reply, details, result.user, pending);
        return;
      }
      if (this.secondFactor.required(result.user)) {
        await this.enrolStep(reply, details, result.user, pending);
        return;
      }
    }
    if (result.ok) await this.noteSignedIn(req, details, result.user.id, null);
    else {
      // The account tried, when it exists; what was typed is never kept (it may be a password).
      const localpart = localpartFromLoginIdentifier(username.trim().toLowerCase(), this.config.homeserver);
      const target = localpart === null ? null : await this.store.users.findByLocalpart(localpart);
      await this.audit.note({
        type: 'user.login.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject: target?.id ?? null,
        origin: originOf(req),
        details: { reason: result.reason, known_account: target !== null },
      });
    }
    if (!result.ok) {
      if (result.reason === 'throttled') {
        void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
        this.loginAgain(
          reply,
          details,
          username,
          `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`,
          429,
        );
      } else this.loginAgain(reply, details, username, 'Wrong username or password.', 401);
      return;
    }
    await this.finish(req, reply, { login: { accountId: result.user.id } });
  }

  /** The second step: a TOTP code or a recovery code, with the password form's attempt budget. */
  @Post(':uid/mfa')
  async mfa(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.pendingSignIn(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const result = await this.secondFactor.attempt(user, body['code'] ?? '', req.ip);
    if (!result.ok) {
      await this.audit.note({
        type: 'user.login.mfa.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject: user.id,
        origin: originOf(req),
        details: { reason: result.reason },
      });
      const throttled = result.reason === 'throttled';
      if (throttled) void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      const error = throttled
        ? `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`
        : 'That code is not right.';
      const pending = body['pending'] ?? '';
      await this.secondFactorStep(reply, details, user, pending, error, throttled ? 429 : 401);
      return;
    }
    await this.noteSignedIn(req, details, user.id, result.used);
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  /** The second step with a passkey: an assertion, user-verified, from one of this user's passkeys. */
  @Post(':uid/mfa-passkey')
  async mfaPasskey(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.pendingSignIn(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const result = await this.secondFactor.attemptPasskey(user, body['response'] ?? '', req.ip);
    if (!result.ok) {
      await this.audit.note({
        type: 'user.login.mfa.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject: user.id,
        origin: originOf(req),
        details: { reason: result.reason === 'throttled' ? 'throttled' : 'wrong-passkey' },
      });
      const throttled = result.reason === 'throttled';
      if (throttled) void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      const error = throttled
        ? `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`
        : 'That passkey was not accepted. Try again.';
      await this.secondFactorStep(reply, details, user, body['pending'] ?? '', error, throttled ? 429 : 401);
      return;
    }
    await this.noteSignedIn(req, details, user.id, result.used);
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  /** Passwordless sign-in: the page that asks the browser for any passkey of this site. */
  @Get(':uid/passkey')
  async showPasskey(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.details(req, reply);
    if (!details || details.uid !== uid) return;
    if (this.secondFactor === null) {
      passkeysUnavailable(reply);
      return;
    }
    const passkeyOptions = await this.secondFactor.passkeys.authenticationOptions({ kind: 'sign-in' });
    sendHtml(reply, passkeySignInPage({ ...this.form(details), passkeyOptions }));
  }

  /**
   * A user-verified passkey signs in without a password and without a further step: it is two factors
   * in itself. A locked or deactivated account is refused as its password would be.
   */
  @Post(':uid/passkey')
  async passkey(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    if (this.secondFactor === null) {
      passkeysUnavailable(reply);
      return;
    }
    const result = await this.secondFactor.passkeySignIn(body['response'] ?? '', req.ip);
    const user = result.ok ? await this.store.users.findById(result.userId) : null;
    if (!isUsableUser(user)) {
      const reason = result.ok ? 'wrong-credentials' : result.reason;
      await this.audit.note({
        type: 'user.login.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject: result.ok ? result.userId : null,
        origin: originOf(req),
        details: { reason, method: 'passkey' },
      });
      const throttled = !result.ok && result.reason === 'throttled';
      if (!result.ok && result.reason === 'throttled')
        void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      const error =
        !result.ok && result.reason === 'throttled'
          ? `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`
          : 'That passkey cannot sign in here.';
      const passkeyOptions = await this.secondFactor.passkeys.authenticationOptions({ kind: 'sign-in' });
      sendHtml(
        reply,
        passkeySignInPage({ ...this.form(details), passkeyOptions, error }),
        throttled ? 429 : 401,
      );
      return;
    }
    await this.noteSignedIn(req, details, user.id, null, 'passkey');
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  /** AUTH_MFA_REQUIRED: the factor set up during sign-in, confirmed with a code from the app. */
  @Post(':uid/mfa-enrol')
  async mfaEnrol(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.pendingSignIn(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const codes = await this.secondFactor.mfa.confirmEnrolment(user.id, body['code'] ?? '');
    if (codes === null) {
      const error =
        'That code is not right. Check the time on your phone and type the code the app shows now.';
      await this.enrolStep(reply, details, user, body['pending'] ?? '', error);
      return;
    }
    await this.audit.note({
      type: 'account.mfa.totp.enabled',
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      origin: originOf(req),
    });
    // A proof of its own: the password step's proof must not skip the code once a factor exists.
    const pending = pendingSecondFactor(this.csrfKey, `enrolled:${uid}`, user.id, this.clock());
    sendHtml(reply, enrolledStepPage({ ...this.form(details), pending, recoveryCodes: codes }));
  }

  @Post(':uid/mfa-enrolled')
  async mfaEnrolled(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    // The factor is set up by now: finishing needs only the user.
    const user = await this.pendingSignIn(`enrolled:${uid}`, body, reply, details, false);
    if (user === null) return;
    await this.noteSignedIn(req, details, user.id, 'enrolled');
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  /**
   * The end of a sign-in through an upstream provider (upstream/): the session the callback or the
   * link page decided, for this interaction only (oidc-provider's cookie binds it to this browser),
   * taken once. The account is refused when locked or deactivated, and asked for its second factor,
   * exactly as after a right password.
   */
  @Get(':uid/upstream/:sessionId')
  async upstreamSignIn(
    @Param('uid') uid: string,
    @Param('sessionId') sessionId: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.details(req, reply);
    if (!details || details.uid !== uid) return;
    const decided = await this.upstream.takeDecided(sessionId, uid);
    if (decided === null) {
      this.loginAgain(reply, details, '', 'Sign in again: that took too long.', 400);
      return;
    }
    const user = decided.user;
    const provider = decided.session.providerId;
    const subject = decided.user?.id ?? null;
    if (!isUsableUser(user)) {
      await this.audit.note({
        type: 'user.login.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject,
        origin: originOf(req),
        details: { reason: 'wrong-credentials', method: 'upstream', provider },
      });
      this.loginAgain(reply, details, '', 'This account cannot sign in.', 403);
      return;
    }
    if (this.secondFactor === null && (await this.store.mfa.hasAnyFactor(user.id))) {
      const error =
        'This account needs a second factor this server cannot check now. Contact the administrator.';
      this.loginAgain(reply, details, '', error, 403);
      return;
    }
    if (this.secondFactor !== null) {
      const pending = pendingSecondFactor(this.csrfKey, details.uid, user.id, this.clock());
      if (await this.secondFactor.mfa.enabled(user.id)) {
        await this.secondFactorStep(reply, details, user, pending);
        return;
      }
      if (this.secondFactor.required(user)) {
        await this.enrolStep(reply, details, user, pending);
        return;
      }
    }
    await this.noteSignedIn(req, details, user.id, null, 'upstream', provider);
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  @Post(':uid/register')
  async register(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    if (!this.config.registrationEnabled) {
      registrationClosed(reply);
      return;
    }
    const username = body['username'] ?? '';
    const limited = await this.limits.registrationPerIp?.consume(req.ip);
    if (limited?.allowed === false) {
      void reply.header('Retry-After', retryAfterSeconds(limited.retryAfterMs));
      const error = `Too many new accounts from your network. Try again in ${waitText(limited.retryAfterMs)}.`;
      sendHtml(reply, registerPage({ ...this.registerForm(details, body), username, error }), 429);
      return;
    }
    const result = await this.registration.register(username, body['password'] ?? '', body['token']);
    if (!result.ok) {
      sendHtml(
        reply,
        registerPage({ ...this.registerForm(details, body), username, error: result.reason }),
        400,
      );
      return;
    }
    // `create` answers the requested prompt=create; `login` starts the browser session.
    await this.finish(req, reply, { create: {}, login: { accountId: result.user.id } });
  }

  @Post(':uid/consent')
  async consentSubmit(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.user(details);
    if (!user) {
      signedOut(reply);
      return;
    }
    await this.grant(details, user, req, reply, true);
  }

  @Post(':uid/abort')
  async abort(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.checked(uid, body, req, reply))) return;
    await this.finish(req, reply, {
      error: 'access_denied',
      error_description: 'The user cancelled the request.',
    });
  }

  /** The second step's page: a code, and a passkey when the account has one. */
  private async secondFactorStep(
    reply: FastifyReply,
    details: Details,
    user: User,
    pending: string,
    error?: string,
    status = 200,
  ): Promise<void> {
    const factor = this.secondFactor;
    if (factor === null) return;
    const hasPasskey = (await factor.passkeys.list(user.id)).length > 0;
    const view = {
      ...this.form(details),
      pending,
      totp: await factor.mfa.totpEnabled(user.id),
      ...(hasPasskey
        ? {
            passkeyOptions: await factor.passkeys.authenticationOptions({
              kind: 'second-factor',
              userId: user.id,
            }),
          }
        : {}),
      ...(error === undefined ? {} : { error }),
    };
    sendHtml(reply, secondFactorPage(view), status);
  }

  private async enrolStep(
    reply: FastifyReply,
    details: Details,
    user: User,
    pending: string,
    error?: string,
  ): Promise<void> {
    const enrolment = await this.secondFactor?.mfa.pendingEnrolment(
      user.id,
      `@${user.localpart}:${this.config.homeserver}`,
    );
    if (!enrolment) {
      this.loginAgain(reply, details, '', 'Sign in again.', 400);
      return;
    }
    const view = { ...this.form(details), pending, enrolment, ...(error === undefined ? {} : { error }) };
    sendHtml(reply, enrolStepPage(view), error === undefined ? 200 : 400);
  }

  private noteSignedIn(
    req: FastifyRequest,
    details: Details,
    userId: string,
    secondFactor: string | null,
    method: 'password' | 'passkey' | 'upstream' = 'password',
    provider?: string,
  ): Promise<void> {
    return this.audit.note({
      type: 'user.login.succeeded',
      outcome: 'succeeded',
      actor: { kind: 'user', id: userId },
      subject: userId,
      origin: originOf(req),
      details: {
        client_id: typeof details.params['client_id'] === 'string' ? details.params['client_id'] : null,
        ...(secondFactor === null ? {} : { second_factor: secondFactor }),
        ...(method === 'password' ? {} : { method }),
        ...(provider === undefined ? {} : { provider }),
      },
    });
  }

  /** Consent: asked for unless the policy says this user already agreed (or the client is first-party). */
  private async consent(details: Details, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = await this.user(details);
    if (!user) {
      signedOut(reply);
      return;
    }
    const decision = await this.policy.decide(consentRequest(details), user);
    if (decision.kind === 'refuse') return this.finish(req, reply, { ...decision.refusal });
    if (decision.kind === 'grant') return this.grant(details, user, req, reply, false);
    sendHtml(
      reply,
      consentPage({
        ...this.form(details),
        scopes: decision.scopes,
        user: `@${user.localpart}:${this.config.homeserver}`,
      }),
    );
  }

  private async grant(
    details: Details,
    user: User,
    req: FastifyRequest,
    reply: FastifyReply,
    remember: boolean,
  ): Promise<void> {
    const request = consentRequest(details);
    const approval = this.policy.approve(request, user);
    if ('refusal' in approval) return this.finish(req, reply, { ...approval.refusal });
    const grantId = await saveGrant(this.provider, details, user.id, request.clientId, approval.scopes);
    if (remember) await this.policy.remember(user, request.clientId, approval.scopes);
    await this.finish(req, reply, { consent: { grantId } });
  }

  private async user(details: Details): Promise<User | null> {
    const accountId = details.session?.accountId;
    return accountId === undefined ? null : this.store.users.findById(accountId);
  }

  private async details(req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
    let details: Details;
    try {
      details = await this.provider.interactionDetails(req.raw, reply.raw);
    } catch {
      // Expired, finished, or another browser's interaction: nothing to resume here.
      sendHtml(reply, messagePage('This sign-in has expired', 'Go back to the app and start again.'), 400);
      return null;
    }
    // People know an app by its registered `client_name`; the id is a random string. A client that
    // registered no name is shown by id.
    const clientId = param(details, 'client_id');
    const client = await this.provider.Client.find(clientId);
    this.clientNames.set(details, client?.clientName ?? clientId);
    return details;
  }

  private async checked(
    uid: string,
    body: Form,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Details | null> {
    const details = await this.details(req, reply);
    if (!details) return null;
    if (details.uid !== uid || !csrfValid(this.csrfKey, body['csrf'], 'interaction', uid)) {
      sendHtml(
        reply,
        messagePage('Request refused', 'The form was not sent from this page. Go back and try again.'),
        403,
      );
      return null;
    }
    return details;
  }

  /** The registration form, with the token field when the operator requires tokens. */
  private registerForm(details: Details, body: Form = {}) {
    return {
      ...this.form(details),
      ...(this.registration.tokenRequired ? { token: { value: body['token'] ?? '' } } : {}),
    };
  }

  private form(details: Details): { uid: string; csrf: string; clientName: string } {
    return {
      uid: details.uid,
      csrf: csrfToken(this.csrfKey, 'interaction', details.uid),
      clientName: this.clientNames.get(details) ?? param(details, 'client_id'),
    };
  }

  private async finish(
    req: FastifyRequest,
    reply: FastifyReply,
    result: Record<string, unknown>,
  ): Promise<void> {
    // oidc-provider writes the redirect itself on the raw response.
    reply.hijack();
    // Merged with earlier answers in this authorization, so a prompt answered once (create, login) stays answered.
    await this.provider.interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: true });
  }

  /**
   * The user a password step vouched for (`pending`, an HMAC over `scope`, the user and the time), while
   * still usable (and, for a code step, while a second factor is offered); otherwise the visitor is sent
   * back to sign in and null is returned.
   */
  private async pendingSignIn(
    scope: string,
    body: Form,
    reply: FastifyReply,
    details: Details,
    needsFactor = true,
  ): Promise<User | null> {
    const userId = pendingUser(this.csrfKey, scope, body['pending'], this.clock());
    const user = userId === null ? null : await this.store.users.findById(userId);
    if ((!needsFactor || this.secondFactor !== null) && isUsableUser(user)) return user;
    this.loginAgain(reply, details, '', 'Sign in again: that took too long.', 400);
    return null;
  }

  private loginAgain(
    reply: FastifyReply,
    details: Details,
    username: string,
    error: string,
    status: number,
  ): void {
    sendHtml(reply, loginPage({ ...this.loginForm(details), username, error }), status);
  }

  /** The sign-in page's parts: the password form when passwords are on, passkeys, provider buttons. */
  private loginForm(details: Details) {
    return {
      ...this.form(details),
      passwords: this.config.passwordLoginEnabled,
      canRegister: this.config.registrationEnabled && this.config.passwordLoginEnabled,
      canRecover: this.config.passwordRecoveryEnabled && this.config.passwordLoginEnabled,
      passkeys: this.secondFactor !== null,
      providers: this.upstream.providers.map((p) => ({
        name: p.humanName ?? p.id,
        href: upstreamStart(p.id, details.uid),
      })),
    };
  }
}

/** The sign-in page's button for a provider: MAS's path, carrying the interaction to finish. */
function upstreamStart(providerId: string, uid: string): string {
  return `/upstream/authorize/${encodeURIComponent(providerId)}?interaction=${encodeURIComponent(uid)}`;
}

/**
 * `login_hint=mxid:@user:server` (MAS's form) prefills the username with the localpart, for a user of
 * this homeserver only; any other hint is ignored (and never forwarded to a provider).
 */
function loginHint(details: Details, homeserver: string): string | undefined {
  const hint = details.params['login_hint'];
  if (typeof hint !== 'string' || !hint.startsWith('mxid:@')) return undefined;
  const mxid = hint.slice('mxid:@'.length);
  const colon = mxid.indexOf(':');
  if (colon <= 0 || mxid.slice(colon + 1) !== homeserver) return undefined;
  return mxid.slice(0, colon);
}

function registrationClosed(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Registration is closed', 'Ask the server administrator for an account.'), 403);
}

function passkeysUnavailable(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Not available', 'This server does not offer passkeys.'), 404);
}

function signedOut(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Signed out', 'Your session ended. Start again from the app.'), 400);
}

function consentRequest(details: Details): ConsentRequest {
  return {
    clientId: String(details.params['client_id']),
    scope: param(details, 'scope'),
    // Only its presence matters: the device authorization grant has none.
    responseType: details.params['response_type'] === undefined ? undefined : param(details, 'response_type'),
  };
}

/** An authorization request parameter as text (oidc-provider types them loosely). */
function param(details: Details, name: string): string {
  const value = details.params[name];
  return typeof value === 'string' ? value : '';
}
