import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import type { SelfRegistration } from '../accounts/self-registration';
import { isUsableUser } from '../accounts/usable-user';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { pendingSecondFactor, pendingUser } from '../mfa/mfa-pending';
import type { SecondFactor } from '../mfa/second-factor';
import type { Clock } from '@gateway/util';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_STORE,
  CLOCK,
  CSRF_KEY,
  OIDC_PROVIDER,
  SECOND_FACTOR,
  SELF_REGISTRATION,
  UPSTREAM_SIGN_IN,
} from '../tokens';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in';
import { enrolStepPage, loginPage, secondFactorPage } from './interaction-pages';

export type Form = Record<string, string | undefined>;
export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * What every step of an interaction shares (the step controllers beside this file use it): resuming the
 * interaction and checking its form, the pages' common parts, the second step after a first factor, the
 * audit line of a sign-in, and handing the result back to oidc-provider.
 */
@Injectable()
export class InteractionFlow {
  /** The display name of each interaction's client, looked up once per request by `details`. */
  private readonly clientNames = new WeakMap<Details, string>();

  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(SELF_REGISTRATION) private readonly registration: SelfRegistration,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(UPSTREAM_SIGN_IN) private readonly upstream: UpstreamSignIn,
  ) {}

  async details(req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
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

  async checked(uid: string, body: Form, req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
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

  async user(details: Details): Promise<User | null> {
    const accountId = details.session?.accountId;
    return accountId === undefined ? null : this.store.users.findById(accountId);
  }

  /**
   * After a first factor (a right password, an upstream provider's answer): the second step's page when
   * the account has a factor or must set one up (AUTH_MFA_REQUIRED), and true; false when the sign-in
   * may finish now.
   */
  async askSecondFactor(
    reply: FastifyReply,
    details: Details,
    user: User,
    username: string,
  ): Promise<boolean> {
    if (this.secondFactor === null) {
      if (!(await this.store.mfa.hasAnyFactor(user.id))) return false;
      // AUTH_MFA_ENCRYPTION_KEY was unset after this account set up a factor: the first factor alone
      // is not enough, and the code cannot be checked.
      const error =
        'This account needs a second factor this server cannot check now. Contact the administrator.';
      this.loginAgain(reply, details, username, error, 403);
      return true;
    }
    // The first factor was right; the sign-in is not done until the second factor is (or, when
    // AUTH_MFA_REQUIRED asks for one this account lacks, until it is set up).
    const pending = pendingSecondFactor(this.csrfKey, details.uid, user.id, this.clock());
    if (await this.secondFactor.mfa.enabled(user.id)) {
      await this.secondFactorStep(reply, details, user, pending);
      return true;
    }
    if (this.secondFactor.required(user)) {
      await this.enrolStep(reply, details, user, pending);
      return true;
    }
    return false;
  }

  /** The second step's page: a code, and a passkey when the account has one. */
  async secondFactorStep(
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

  /** AUTH_MFA_REQUIRED's setup step: an authenticator app or a passkey, its challenge bound to this sign-in. */
  async enrolStep(
    reply: FastifyReply,
    details: Details,
    user: User,
    pending: string,
    error?: string,
  ): Promise<void> {
    const account = `@${user.localpart}:${this.config.homeserver}`;
    const enrolment = await this.secondFactor?.mfa.pendingEnrolment(user.id, account);
    if (!enrolment || this.secondFactor === null) {
      this.loginAgain(reply, details, '', 'Sign in again.', 400);
      return;
    }
    const passkeyOptions = await this.secondFactor.passkeys.registrationOptions(user, account, details.uid);
    const view = {
      ...this.form(details),
      pending,
      enrolment,
      passkeyOptions,
      ...(error === undefined ? {} : { error }),
    };
    sendHtml(reply, enrolStepPage(view), error === undefined ? 200 : 400);
  }

  /**
   * The user the setup step may set a first factor up for: the password step's proof, and still no
   * factor. Once one exists (set up in another tab or on the account page), that proof must not add
   * another and finish the sign-in without it; the visitor signs in again and is asked for it.
   */
  async enrollingUser(uid: string, body: Form, reply: FastifyReply, details: Details): Promise<User | null> {
    const user = await this.pendingSignIn(uid, body, reply, details);
    if (user === null || this.secondFactor === null) return null;
    if (!(await this.secondFactor.mfa.enabled(user.id))) return user;
    this.loginAgain(reply, details, '', 'Sign in again: this account has a second factor now.', 400);
    return null;
  }

  /**
   * The user a password step vouched for (`pending`, an HMAC over `scope`, the user and the time), while
   * still usable (and, for a code step, while a second factor is offered); otherwise the visitor is sent
   * back to sign in and null is returned.
   */
  async pendingSignIn(
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

  noteSignedIn(
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

  async finish(req: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>): Promise<void> {
    // oidc-provider writes the redirect itself on the raw response.
    reply.hijack();
    // Merged with earlier answers in this authorization, so a prompt answered once (create, login) stays answered.
    await this.provider.interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: true });
  }

  loginAgain(reply: FastifyReply, details: Details, username: string, error: string, status: number): void {
    sendHtml(reply, loginPage({ ...this.loginForm(details), username, error }), status);
  }

  /** The sign-in page's parts: the password form when passwords are on, passkeys, provider buttons. */
  loginForm(details: Details) {
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

  /** The registration form, with the token field when the operator requires tokens. */
  registerForm(details: Details, body: Form = {}) {
    return {
      ...this.form(details),
      ...(this.registration.tokenRequired ? { token: { value: body['token'] ?? '' } } : {}),
    };
  }

  form(details: Details): { uid: string; csrf: string; clientName: string } {
    return {
      uid: details.uid,
      csrf: csrfToken(this.csrfKey, 'interaction', details.uid),
      clientName: this.clientNames.get(details) ?? param(details, 'client_id'),
    };
  }
}

/** The sign-in page's button for a provider: MAS's path, carrying the interaction to finish. */
export function upstreamStart(providerId: string, uid: string): string {
  return `/upstream/authorize/${encodeURIComponent(providerId)}?interaction=${encodeURIComponent(uid)}`;
}

/** An authorization request parameter as text (oidc-provider types them loosely). */
export function param(details: Details, name: string): string {
  const value = details.params[name];
  return typeof value === 'string' ? value : '';
}
