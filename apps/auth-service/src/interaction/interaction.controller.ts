import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import type { Accounts } from '../accounts/accounts';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { AuthConfig } from '../config';
import { deviceScope, deviceScopeOf, parseScope } from '../scopes/matrix-scopes';
import { OAuthError } from '../oauth-error';
import { checkScopePolicy } from '../scopes/scope-policy';
import { isMatrixScope } from '../oidc/matrix-resource';
import { ACCOUNT_CLIENT_ID } from '../oidc/provider.factory';
import { consentPage, loginPage, messagePage, registerPage } from './interaction-pages';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { ACCOUNTS, AUTH_CONFIG, AUTH_STORE, CSRF_KEY, LOGIN_LIMITER, OIDC_PROVIDER } from '../tokens';

type Form = Record<string, string | undefined>;
type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The human side of the authorization flow: sign-in, registration (prompt=create) and consent pages,
 * plain HTML forms that work without JavaScript. oidc-provider ties each interaction to the browser by
 * a signed cookie; every form also carries a CSRF token bound to the interaction.
 */
@Controller('interaction')
export class InteractionController {
  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(ACCOUNTS) private readonly accounts: Accounts,
    @Inject(LOGIN_LIMITER) private readonly limiter: LoginLimiter,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
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
      sendHtml(reply, registerPage(this.form(details)));
      return;
    }
    if (name === 'login') {
      sendHtml(reply, loginPage({ ...this.form(details), canRegister: this.config.registrationEnabled }));
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
      sendHtml(
        reply,
        messagePage('Registration is closed', 'Ask the server administrator for an account.'),
        403,
      );
      return;
    }
    sendHtml(reply, registerPage(this.form(details)));
  }

  @Post(':uid/login')
  async login(
    @Param('uid') uid: string,
    @Body() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const username = body['username'] ?? '';
    if (await this.limiter.blocked(username, req.ip)) {
      this.loginAgain(reply, details, username, 'Too many failed attempts. Try again in a few minutes.', 429);
      return;
    }
    const user = await this.accounts.authenticate(username, body['password'] ?? '');
    if (!user) {
      await this.limiter.failed(username, req.ip);
      this.loginAgain(reply, details, username, 'Wrong username or password.', 401);
      return;
    }
    await this.limiter.succeeded(username);
    await this.finish(req, reply, { login: { accountId: user.id } });
  }

  @Post(':uid/register')
  async register(
    @Param('uid') uid: string,
    @Body() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    if (!this.config.registrationEnabled) {
      sendHtml(
        reply,
        messagePage('Registration is closed', 'Ask the server administrator for an account.'),
        403,
      );
      return;
    }
    const username = body['username'] ?? '';
    const result = await this.accounts.register(username, body['password'] ?? '');
    if (!result.ok) {
      sendHtml(reply, registerPage({ ...this.form(details), username, error: result.reason }), 400);
      return;
    }
    // `create` answers the requested prompt=create; `login` starts the browser session.
    await this.finish(req, reply, { create: {}, login: { accountId: result.user.id } });
  }

  @Post(':uid/consent')
  async consentSubmit(
    @Param('uid') uid: string,
    @Body() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.user(details);
    if (!user) {
      sendHtml(reply, messagePage('Signed out', 'Your session ended. Start again from the app.'), 400);
      return;
    }
    await this.grant(details, user, req, reply, true);
  }

  @Post(':uid/abort')
  async abort(
    @Param('uid') uid: string,
    @Body() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.checked(uid, body, req, reply))) return;
    await this.finish(req, reply, {
      error: 'access_denied',
      error_description: 'The user cancelled the request.',
    });
  }

  /** Consent: skipped for first-party clients and for scopes this user already allowed this client. */
  private async consent(details: Details, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = await this.user(details);
    if (!user) {
      sendHtml(reply, messagePage('Signed out', 'Your session ended. Start again from the app.'), 400);
      return;
    }
    const refusal = this.policyRefusal(details, user);
    if (refusal) return this.finish(req, reply, refusal);
    const clientId = String(details.params['client_id']);
    const scopes = this.grantableScopes(details);
    if (
      this.config.firstPartyClients.has(clientId) ||
      clientId === ACCOUNT_CLIENT_ID ||
      (await this.store.consents.has(user.id, clientId, consentKey(scopes)))
    ) {
      return this.grant(details, user, req, reply, false);
    }
    sendHtml(
      reply,
      consentPage({ ...this.form(details), scopes, user: `@${user.localpart}:${this.config.homeserver}` }),
    );
  }

  private async grant(
    details: Details,
    user: User,
    req: FastifyRequest,
    reply: FastifyReply,
    remember: boolean,
  ): Promise<void> {
    const refusal = this.policyRefusal(details, user);
    if (refusal) return this.finish(req, reply, refusal);
    const clientId = String(details.params['client_id']);
    const scopes = this.grantableScopes(details);
    const grant = details.grantId !== undefined ? await this.provider.Grant.find(details.grantId) : undefined;
    const target = grant ?? new this.provider.Grant({ accountId: user.id, clientId });
    const oidcScopes = scopes.filter((s) => !isMatrixScope(s));
    if (oidcScopes.length > 0) target.addOIDCScope(oidcScopes.join(' '));
    const matrixScopes = scopes.filter(isMatrixScope);
    for (const resource of Object.keys(
      (details.prompt.details['missingResourceScopes'] as Record<string, string[]> | undefined) ?? {},
    )) {
      target.addResourceScope(resource, matrixScopes.join(' '));
    }
    const grantId = await target.save();
    if (remember) await this.store.consents.remember(user.id, clientId, consentKey(scopes));
    await this.finish(req, reply, { consent: { grantId } });
  }

  /**
   * MAS's scope policy (one device, admin scopes for admins only, ...). A request that breaks it is
   * refused with the OAuth error rather than silently down-scoped: the client asked for something it
   * cannot have and should say so to its user.
   */
  private policyRefusal(details: Details, user: User): { error: string; error_description: string } | null {
    try {
      const grantType =
        details.params['response_type'] === undefined
          ? 'urn:ietf:params:oauth:grant-type:device_code'
          : 'authorization_code';
      checkScopePolicy(parseScope(param(details, 'scope')), {
        grantType,
        user: { canRequestAdmin: user.admin },
        clientIsAdmin: false,
      });
      return null;
    } catch (err) {
      if (err instanceof OAuthError) return { error: err.error, error_description: err.description };
      throw err;
    }
  }

  /** The requested scopes, once each (the scope policy has already refused what the user may not have). */
  private grantableScopes(details: Details): string[] {
    const requested = param(details, 'scope')
      .split(' ')
      .filter((s) => s !== '');
    return [...new Set(requested)];
  }

  private async user(details: Details): Promise<User | null> {
    const accountId = details.session?.accountId;
    return accountId === undefined ? null : this.store.users.findById(accountId);
  }

  private async details(req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
    try {
      return await this.provider.interactionDetails(req.raw, reply.raw);
    } catch {
      // Expired, finished, or another browser's interaction: nothing to resume here.
      sendHtml(reply, messagePage('This sign-in has expired', 'Go back to the app and start again.'), 400);
      return null;
    }
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

  private form(details: Details): { uid: string; csrf: string; clientName: string } {
    const clientId = param(details, 'client_id');
    return {
      uid: details.uid,
      csrf: csrfToken(this.csrfKey, 'interaction', details.uid),
      clientName: clientId,
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

  private loginAgain(
    reply: FastifyReply,
    details: Details,
    username: string,
    error: string,
    status: number,
  ): void {
    sendHtml(
      reply,
      loginPage({ ...this.form(details), canRegister: this.config.registrationEnabled, username, error }),
      status,
    );
  }
}

/** Device scopes change at every sign-in; consent is remembered for "a new device", not one device id. */
function consentKey(scopes: readonly string[]): string[] {
  return scopes.map((s) => {
    const device = deviceScopeOf(s);
    return device === null ? s : deviceScope('*', device.form);
  });
}

/** An authorization request parameter as text (oidc-provider types them loosely). */
function param(details: Details, name: string): string {
  const value = details.params[name];
  return typeof value === 'string' ? value : '';
}
