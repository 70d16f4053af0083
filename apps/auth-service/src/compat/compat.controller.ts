import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import { MatrixError } from '@gateway/matrix';
import { isJsonObject, ownField, type Clock } from '@gateway/util';
import type { AuditLog } from '../audit/audit-log';
import { originOf } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { hashToken } from '../token-format/token-format';
import { randomAlphanumeric } from '../token-format/random-string';
import { pendingSecondFactor, pendingUser } from '../mfa/mfa-pending';
import { mfaRequiredFor } from '../mfa/mfa-policy';
import type { SecondFactor } from '../mfa/second-factor';
import { isUsableUser } from '../accounts/usable-user';
import type { User } from '@gateway/auth-data';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_STORE,
  CLOCK,
  COMPAT_LOGIN,
  CSRF_KEY,
  SECOND_FACTOR,
  UPSTREAM_SIGN_IN,
} from '../tokens';
import { bindingOf } from '../upstream/browser-binding';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in';
import type { CompatLogin, LoginResponse, RefreshResponse } from './compat-login';
import { LOGIN_FLOWS, LOGIN_FLOWS_WITHOUT_PASSWORD } from './login-flows';
import { parseLoginRequest } from './login-request';
import { ssoExpiredPage, ssoLoginOpen } from '../sso-login/sso-login';
import { ssoSecondFactorPage, ssoSignInPage } from './sso-pages';
import { checkRedirectUrl, destinationLabel, withLoginToken } from './sso-redirect';

// Synapse (and MAS) serve the legacy login API under these two versions only.
const VERSIONS = new Set(['v3', 'r0']);
// MAS's length for compat SSO login tokens.
const LOGIN_TOKEN_LENGTH = 32;

type Form = Record<string, string | undefined>;

function checkVersion(version: string): void {
  if (!VERSIONS.has(version)) throw new MatrixError('M_UNRECOGNIZED', 'Unrecognized request');
}

/** Synapse reads JSON whatever the content type says; a form body is not JSON. */
function jsonBody(req: FastifyRequest, body: unknown): unknown {
  const type = req.headers['content-type'] ?? '';
  if (body === undefined || (type !== '' && !/^application\/json\b/i.test(type))) {
    throw new MatrixError('M_NOT_JSON', 'Content not JSON.');
  }
  return body;
}

/** The access token as Synapse reads it: the Authorization header, else the deprecated query parameter. */
function accessTokenOf(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined) return match[1];
    throw new MatrixError('M_MISSING_TOKEN', 'Missing access token.');
  }
  const query = isJsonObject(req.query) ? ownField(req.query, 'access_token') : undefined;
  if (typeof query === 'string' && query !== '') return query;
  throw new MatrixError('M_MISSING_TOKEN', 'Missing access token.');
}

/**
 * The legacy Matrix login API (`/_matrix/client/{v3,r0}/login`, `/refresh`, `/logout`, the SSO redirect)
 * that Synapse stops serving in delegated mode; the sync-proxy routes these paths here. The SSO
 * redirect's sign-in page (`/complete-compat-sso/:id`, MAS's path) is served here too.
 */
@Controller()
export class CompatController {
  constructor(
    @Inject(COMPAT_LOGIN) private readonly compat: CompatLogin,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
    @Inject(UPSTREAM_SIGN_IN) private readonly upstream: UpstreamSignIn,
  ) {}

  @Get('_matrix/client/:version/login')
  flows(@Param('version') version: string): object {
    checkVersion(version);
    return this.config.passwordLoginEnabled ? LOGIN_FLOWS : LOGIN_FLOWS_WITHOUT_PASSWORD;
  }

  @Post('_matrix/client/:version/login')
  @HttpCode(200)
  async login(
    @Param('version') version: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ): Promise<LoginResponse> {
    checkVersion(version);
    const request = parseLoginRequest(jsonBody(req, body));
    const origin = originOf(req);
    const method = request.type === 'm.login.password' ? 'password' : 'token';
    try {
      const response = await this.compat.login(request, req.ip);
      const localpart = /^@([^:]+):/.exec(response.user_id)?.[1];
      const user = localpart === undefined ? null : await this.store.users.findByLocalpart(localpart);
      await this.audit.note({
        type: 'compat.login.succeeded',
        outcome: 'succeeded',
        actor: user === null ? { kind: 'anonymous' } : { kind: 'user', id: user.id },
        subject: user?.id ?? null,
        origin,
        details: { method, device_id: response.device_id },
      });
      return response;
    } catch (err) {
      await this.audit.note({
        type: 'compat.login.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        origin,
        details: { method, errcode: err instanceof MatrixError ? err.errcode : 'M_UNKNOWN' },
      });
      throw err;
    }
  }

  @Post('_matrix/client/:version/refresh')
  @HttpCode(200)
  async refresh(
    @Param('version') version: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ): Promise<RefreshResponse> {
    checkVersion(version);
    const json = jsonBody(req, body);
    if (!isJsonObject(json))
      throw new MatrixError('M_BAD_JSON', 'Content must be a JSON object.', { status: 400 });
    const token = ownField(json, 'refresh_token');
    if (token === undefined) {
      throw new MatrixError('M_MISSING_PARAM', "Missing params: ['refresh_token']");
    }
    if (typeof token !== 'string') throw new MatrixError('M_INVALID_PARAM', 'Invalid param: refresh_token');
    return this.compat.refresh(token, req.ip);
  }

  @Post('_matrix/client/:version/logout')
  @HttpCode(200)
  async logout(@Param('version') version: string, @Req() req: FastifyRequest): Promise<object> {
    checkVersion(version);
    const session = await this.compat.logout(accessTokenOf(req));
    await this.audit.note({
      type: 'compat.logout',
      outcome: 'succeeded',
      actor: { kind: 'user', id: session.userId },
      subject: session.id,
      origin: originOf(req),
      details: { all: false, device_id: session.deviceId },
    });
    return {};
  }

  @Post('_matrix/client/:version/logout/all')
  @HttpCode(200)
  async logoutAll(
    @Param('version') version: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ): Promise<object> {
    checkVersion(version);
    const token = accessTokenOf(req);
    // As MAS: only the client's explicit acknowledgement that OAuth sessions stay signed in makes this
    // succeed; a client that believes it signed out everywhere must not be told so falsely.
    if (!isJsonObject(body) || ownField(body, 'io.element.only_compat_is_fine') !== true) {
      throw new MatrixError(
        'M_INVALID_PARAM',
        'Only legacy sessions can be ended here; send {"io.element.only_compat_is_fine": true} or sign out the other sessions in the account page.',
      );
    }
    const { session, ended } = await this.compat.logoutAll(token);
    await this.audit.note({
      type: 'compat.logout',
      outcome: 'succeeded',
      actor: { kind: 'user', id: session.userId },
      subject: session.userId,
      origin: originOf(req),
      details: { all: true, ended },
    });
    return {};
  }

  @Get('_matrix/client/:version/login/sso/redirect')
  async ssoRedirect(
    @Param('version') version: string,
    @Query('redirectUrl') redirectUrl: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    checkVersion(version);
    await this.startSso(redirectUrl, reply);
  }

  // Identity providers are not offered (the flows list none); a client naming one still signs in here.
  @Get('_matrix/client/:version/login/sso/redirect/:idp')
  async ssoRedirectIdp(
    @Param('version') version: string,
    @Query('redirectUrl') redirectUrl: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    checkVersion(version);
    await this.startSso(redirectUrl, reply);
  }

  @Get('complete-compat-sso/:id')
  async ssoPage(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const login = await this.pendingSso(id, reply);
    if (!login) return;
    if (!this.config.passwordLoginEnabled && this.upstream.providers.length === 0) {
      sendHtml(
        reply,
        messagePage(
          'Sign-in unavailable',
          'This server offers no way to sign in here. Contact the administrator.',
        ),
        403,
      );
      return;
    }
    sendHtml(reply, ssoSignInPage(this.ssoForm(id, login.redirectUrl)));
  }

  @Post('complete-compat-sso/:id')
  async ssoSubmit(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const login = await this.pendingSso(id, reply);
    if (!login) return;
    const form: Form = isJsonObject(body) ? (body as Form) : {};
    if (!csrfValid(this.csrfKey, form['csrf'], 'compat-sso', id)) {
      sendHtml(
        reply,
        messagePage('Sign-in expired', 'This page has expired. Go back to the app and try again.'),
        403,
      );
      return;
    }
    const username = typeof form['username'] === 'string' ? form['username'] : '';
    const password = typeof form['password'] === 'string' ? form['password'] : '';
    const again = (error: string, status: number) => {
      sendHtml(reply, ssoSignInPage({ ...this.ssoForm(id, login.redirectUrl), username, error }), status);
    };
    if (!this.config.passwordLoginEnabled) {
      // AUTH_PASSWORD_LOGIN_ENABLED=false: the page has no password form; the provider buttons are the way in.
      again('This server does not accept passwords.', 403);
      return;
    }
    let user;
    try {
      user = await this.compat.passwordUser(username, password, req.ip);
    } catch (err) {
      if (!(err instanceof MatrixError)) throw err;
      if (err.errcode === 'M_LIMIT_EXCEEDED')
        again('Too many failed attempts. Try again in a few minutes.', 429);
      else if (err.errcode === 'M_USER_DEACTIVATED') again('This account has been deactivated.', 403);
      else if (err.errcode === 'M_USER_LOCKED') again('This account has been locked.', 403);
      else again('Wrong username or password.', 401);
      return;
    }
    // The password was right; the login token may wait for the second factor.
    await this.firstFactorDone(id, login.redirectUrl, user, reply, again);
  }

  /**
   * The end of a sign-in through an upstream provider started by this page's button (upstream/): the
   * session the callback or the link page decided, for this browser only (the upstream binding
   * cookie, hence the path under `/upstream/`), taken once. Then exactly what follows a right
   * password: locked and deactivated accounts refused, the second factor asked for, the login token.
   */
  @Get('upstream/compat-sso/:sessionId')
  async ssoUpstream(
    @Param('sessionId') sessionId: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const decided = await this.upstream.takeDecidedCompat(sessionId, bindingOf(req));
    if (decided === null) {
      sendHtml(
        reply,
        messagePage('Sign-in expired', 'That took too long. Go back to the app and try again.'),
        400,
      );
      return;
    }
    const id = decided.session.compatLoginId;
    const login = await this.pendingSso(id, reply);
    if (!login) return;
    const again = (error: string, status: number) => {
      sendHtml(reply, ssoSignInPage({ ...this.ssoForm(id, login.redirectUrl), error }), status);
    };
    const user = decided.user;
    // Read before the guard narrows `user` away in its refusing branch.
    const subject = user?.id ?? null;
    const deactivated = user?.deactivatedAt != null;
    if (!isUsableUser(user)) {
      await this.audit.note({
        type: 'compat.login.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject,
        origin: originOf(req),
        details: { method: 'upstream', provider: decided.session.providerId, errcode: 'M_FORBIDDEN' },
      });
      again(deactivated ? 'This account has been deactivated.' : 'This account has been locked.', 403);
      return;
    }
    await this.firstFactorDone(id, login.redirectUrl, user, reply, again);
  }

  /** After the first factor (a password, or a provider): the second factor when the account has one. */
  private async firstFactorDone(
    id: string,
    redirectUrl: string,
    user: User,
    reply: FastifyReply,
    again: (error: string, status: number) => void,
  ): Promise<void> {
    const hasFactor = await this.store.mfa.hasAnyFactor(user.id);
    if (!hasFactor && mfaRequiredFor(this.config.mfaRequired, user)) {
      again('This account must use two-factor authentication. Set it up on your account page first.', 403);
      return;
    }
    if (hasFactor) {
      if (this.secondFactor === null) {
        again('This account needs a second factor this server cannot check. Contact the administrator.', 403);
        return;
      }
      sendHtml(reply, await this.secondFactorPage(id, redirectUrl, user.id));
      return;
    }
    await this.fulfil(id, redirectUrl, user, reply);
  }

  /** The sign-in page's parts: the password form when passwords are on, one button per provider. */
  private ssoForm(id: string, redirectUrl: string) {
    return {
      id,
      csrf: csrfToken(this.csrfKey, 'compat-sso', id),
      destination: destinationLabel(redirectUrl),
      passwords: this.config.passwordLoginEnabled,
      providers: this.upstream.providers.map((p) => ({
        name: p.humanName ?? p.id,
        href: compatUpstreamStart(p.id, id, csrfToken(this.csrfKey, 'compat-sso', id, 'upstream', p.id)),
      })),
    };
  }

  /** The second step of the SSO sign-in for an account with two-factor authentication. */
  @Post('complete-compat-sso/:id/mfa')
  async ssoSecondFactor(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.ssoStep(id, body, req, reply, 'code');
  }

  /** The same step answered with a passkey. */
  @Post('complete-compat-sso/:id/mfa-passkey')
  async ssoPasskey(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.ssoStep(id, body, req, reply, 'passkey');
  }

  private async ssoStep(
    id: string,
    body: unknown,
    req: FastifyRequest,
    reply: FastifyReply,
    answer: 'code' | 'passkey',
  ): Promise<void> {
    const login = await this.pendingSso(id, reply);
    if (!login) return;
    const form: Form = isJsonObject(body) ? (body as Form) : {};
    const binding = `compat-sso:${id}`;
    const proof = typeof form['pending'] === 'string' ? form['pending'] : undefined;
    const userId = csrfValid(this.csrfKey, form['csrf'], 'compat-sso', id)
      ? pendingUser(this.csrfKey, binding, proof, this.clock())
      : null;
    const user = userId === null ? null : await this.store.users.findById(userId);
    if (this.secondFactor === null || !isUsableUser(user)) {
      sendHtml(
        reply,
        messagePage('Sign-in expired', 'This page has expired. Go back to the app and try again.'),
        403,
      );
      return;
    }
    const field = answer === 'code' ? form['code'] : form['response'];
    const typed = typeof field === 'string' ? field : '';
    const result =
      answer === 'code'
        ? await this.secondFactor.attempt(user, typed, req.ip)
        : await this.secondFactor.attemptPasskey(user, typed, req.ip);
    if (!result.ok) {
      await this.audit.note({
        type: 'user.login.mfa.failed',
        outcome: 'failed',
        actor: { kind: 'anonymous' },
        subject: user.id,
        origin: originOf(req),
        details: {
          reason: result.reason === 'wrong-code' && answer === 'passkey' ? 'wrong-passkey' : result.reason,
          compat_sso: true,
        },
      });
      const throttled = result.reason === 'throttled';
      const error = throttled
        ? 'Too many failed attempts. Try again in a few minutes.'
        : answer === 'code'
          ? 'That code is not right.'
          : 'That passkey was not accepted. Try again.';
      const again = await this.secondFactorPage(id, login.redirectUrl, user.id, error);
      sendHtml(reply, again, throttled ? 429 : 401);
      return;
    }
    await this.fulfil(id, login.redirectUrl, user, reply);
  }

  private async secondFactorPage(
    id: string,
    redirectUrl: string,
    userId: string,
    error?: string,
  ): Promise<string> {
    const factor = this.secondFactor;
    const hasPasskey = factor !== null && (await factor.passkeys.list(userId)).length > 0;
    return ssoSecondFactorPage({
      totp: await this.store.mfa.hasTotp(userId),
      ...(factor !== null && hasPasskey
        ? { passkeyOptions: await factor.passkeys.authenticationOptions({ kind: 'second-factor', userId }) }
        : {}),
      id,
      csrf: csrfToken(this.csrfKey, 'compat-sso', id),
      destination: destinationLabel(redirectUrl),
      pending: pendingSecondFactor(this.csrfKey, `compat-sso:${id}`, userId, this.clock()),
      ...(error === undefined ? {} : { error }),
    });
  }

  /** Issues the login token and sends the browser back to the client with it. */
  private async fulfil(id: string, redirectUrl: string, user: User, reply: FastifyReply): Promise<void> {
    const loginToken = randomAlphanumeric(LOGIN_TOKEN_LENGTH);
    if (
      !(await this.store.compat.fulfilSsoLogin(id, user.id, hashToken(loginToken), new Date(this.clock())))
    ) {
      sendHtml(
        reply,
        messagePage('Sign-in expired', 'This sign-in was already used. Go back to the app and try again.'),
        400,
      );
      return;
    }
    void reply
      .status(303)
      .header('Cache-Control', 'no-store')
      .header('Location', withLoginToken(redirectUrl, loginToken))
      .send();
  }

  private async startSso(redirectUrl: unknown, reply: FastifyReply): Promise<void> {
    if (typeof redirectUrl !== 'string') {
      throw new MatrixError('M_MISSING_PARAM', "Missing string query parameter 'redirectUrl'");
    }
    const url = checkRedirectUrl(redirectUrl);
    if (!url) throw new MatrixError('M_INVALID_PARAM', 'Invalid redirectUrl', { status: 400 });
    const login = await this.store.compat.startSsoLogin(redirectUrl, new Date(this.clock()));
    void reply
      .status(303)
      .header('Cache-Control', 'no-store')
      .header('Location', `${this.config.baseUrl}/complete-compat-sso/${login.id}`)
      .send();
  }

  /** The SSO login behind a completion page while it can still be completed; otherwise answers a page. */
  private async pendingSso(id: string, reply: FastifyReply) {
    const login = await this.store.compat.findSsoLogin(id);
    if (login === null || !ssoLoginOpen(login, this.clock())) {
      sendHtml(reply, ssoExpiredPage(), 404);
      return null;
    }
    return login;
  }
}

/** The legacy SSO page's button for a provider: MAS's path, with the compat login and its token. */
function compatUpstreamStart(providerId: string, compatLoginId: string, csrf: string): string {
  const query = new URLSearchParams({ compat: compatLoginId, csrf });
  return `/upstream/authorize/${encodeURIComponent(providerId)}?${query.toString()}`;
}
