import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';
import type { AuditEventType } from '../audit/audit-events';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { sendHtml } from '../pages/form-security';
import { formFields } from '../pages/form-fields';
import type { PersonalTokens } from '../personal-tokens/personal-tokens';
import { SynapseCallError } from '../synapse/synapse-call-error';
import { AUDIT_LOG, AUTH_CONFIG, AUTH_STORE, CSRF_KEY, OIDC_PROVIDER, PERSONAL_TOKENS } from '../tokens';
import { LIFETIME_DAYS, SCOPE_FIELDS, tokensPage, type TokensView } from './account-token-pages';
import { AccountVisitors, type Visitor } from './account-visitor';

/**
 * The account page's personal access tokens (`/account/tokens`): the user makes tokens acting as
 * themself (scopes they may hold, an expiry from a fixed list, the token shown once) and revokes them.
 * Tokens an admin made for the user are listed and revocable here too.
 */
@Controller('account/tokens')
export class AccountTokensController {
  private readonly visitors: AccountVisitors;

  constructor(
    @Inject(OIDC_PROVIDER) provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(CSRF_KEY) csrfKey: string,
    @Inject(PERSONAL_TOKENS) private readonly tokens: PersonalTokens,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {
    this.visitors = new AccountVisitors(provider, store, config, csrfKey);
  }

  @Get()
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.visitors.visitor(req, reply);
    if (!visitor) {
      this.visitors.signIn(reply);
      return;
    }
    await this.send(reply, visitor, {});
  }

  @Post()
  async create(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'tokens-create');
    if (!visitor) return;
    const days = Number(form['expires_days']);
    if (!(LIFETIME_DAYS as readonly number[]).includes(days)) {
      await this.send(reply, visitor, { error: 'Pick when the token expires.' }, 400);
      return;
    }
    const scope = SCOPE_FIELDS.filter((f) => form[f.field] === 'yes')
      .map((f) => f.scope)
      .join(' ');
    let issued;
    try {
      issued = await this.tokens.create(
        visitor.user,
        { userId: visitor.user.id },
        { name: form['name'], scope, expiresIn: days * 24 * 3600, mayBeEndless: false },
      );
    } catch (err) {
      if (!(err instanceof SynapseCallError)) throw err;
      const error = 'The homeserver could not register the token’s device. Try again later.';
      await this.send(reply, visitor, { error }, 503);
      return;
    }
    if ('problem' in issued) {
      const reason = issued.problem === 'invalid' ? issued.reason : 'unknown';
      await this.send(reply, visitor, { error: `The token was not made: ${reason}.` }, 400);
      return;
    }
    await this.noted(req, visitor, 'account.personal-token.created', issued.session.id);
    await this.send(reply, visitor, { issued: { name: issued.session.humanName, token: issued.token } });
  }

  @Post(':id/revoke')
  async revoke(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, formFields(body), 'tokens-revoke', id);
    if (!visitor) return;
    if (await this.tokens.revokeOwn(visitor.user, id))
      await this.noted(req, visitor, 'account.personal-token.revoked', id);
    void reply.redirect('/account/tokens', 303);
  }

  private async send(
    reply: FastifyReply,
    visitor: Visitor,
    extra: Partial<TokensView>,
    status = 200,
  ): Promise<void> {
    const view: TokensView = {
      sessions: await this.store.personal.activeForUser(visitor.user.id),
      admin: visitor.user.admin,
      csrf: this.visitors.csrfFor(visitor.user),
      ...extra,
    };
    sendHtml(reply, tokensPage(view), status);
  }

  private noted(req: FastifyRequest, visitor: Visitor, type: AuditEventType, subject: string): Promise<void> {
    return this.audit.note({
      type,
      outcome: 'succeeded',
      actor: { kind: 'user', id: visitor.user.id },
      subject,
      origin: originOf(req),
    });
  }
}
