import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import type { UserEmails } from '../email/user-emails';
import { sendHtml } from '../pages/form-security';
import { formFields } from '../pages/form-fields';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUTH_CONFIG, AUTH_STORE, CSRF_KEY, OIDC_PROVIDER, SYNAPSE, USER_EMAILS } from '../tokens';
import { emailCodePage, emailLinkPage } from './account-email-pages';
import { AccountOverview } from './account-overview';
import { AccountSessions } from './account-sessions';
import { AccountVisitors, type Visitor } from './account-visitor';

const PROBLEMS = {
  invalid: 'That is not an email address.',
  in_use: 'That address is already used by another account.',
  already_yours: 'That address is already on your account.',
  send_failed: 'The mail could not be sent. Try again later.',
  unknown: 'This code or link is no longer valid. Add the address again to get a new one.',
  expired: 'This code has expired. Add the address again to get a new one.',
  wrong_code: 'That code is not right.',
  too_many_attempts: 'Too many wrong codes. Add the address again to get a new one.',
} as const;

const HOMESERVER_DOWN = 'Saved, but the homeserver did not take the change yet. Try again later.';

/**
 * The account page's email addresses (AUTH_EMAIL_CHANGE_ALLOWED, with mail configured): add (a mail
 * with a code and a link, within the send limits), verify by code here or by the link on its own page,
 * remove. Every change is mirrored into Synapse's threepids by `email/UserEmails`.
 */
@Controller('account/emails')
export class AccountEmailsController {
  private readonly visitors: AccountVisitors;
  private readonly overviews: AccountOverview;

  constructor(
    @Inject(OIDC_PROVIDER) provider: Provider,
    @Inject(AUTH_STORE) store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) csrfKey: string,
    @Inject(SYNAPSE) synapse: SynapseMasClient,
    @Inject(USER_EMAILS) private readonly emails: UserEmails,
  ) {
    this.visitors = new AccountVisitors(provider, store, config, csrfKey);
    this.overviews = new AccountOverview(
      synapse,
      new AccountSessions(provider, store),
      this.visitors,
      emails,
      config,
      store,
    );
  }

  @Post()
  async add(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (this.off(reply)) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'emails-add');
    if (!visitor) return;
    const started = await this.emails.start(visitor.user, form['email'], req.ip);
    if (started.ok) {
      void reply.redirect(`/account/emails/${started.verification.id}`, 303);
      return;
    }
    const again = { emailInput: form['email'] ?? '' };
    if (started.problem === 'limited') {
      void reply.header('Retry-After', retryAfterSeconds(started.retryAfterMs));
      const emailError = `Too many mails sent. Try again in ${waitText(started.retryAfterMs)}.`;
      await this.overviews.send(reply, visitor, { ...again, emailError }, 429);
      return;
    }
    const status = started.problem === 'send_failed' ? 503 : started.problem === 'invalid' ? 400 : 409;
    await this.overviews.send(reply, visitor, { ...again, emailError: PROBLEMS[started.problem] }, status);
  }

  /** The link in the mail: shows the address and asks for one click (GET changes nothing). */
  @Get('confirm')
  async linkPage(@Res() reply: FastifyReply, @Query('token') token?: unknown): Promise<void> {
    if (this.off(reply)) return;
    const pending = await this.emails.pendingLink(token);
    if (pending === null || typeof token !== 'string') {
      sendHtml(reply, messagePage('Link expired', PROBLEMS.unknown), 400);
      return;
    }
    sendHtml(reply, emailLinkPage({ token, address: pending.email }));
  }

  @Post('confirm')
  async confirmLink(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    if (this.off(reply)) return;
    const outcome = await this.mirrored(() => this.emails.verifyLink(formFields(body)['token']));
    if (outcome === 'homeserver_down') {
      sendHtml(reply, messagePage('Try again later', HOMESERVER_DOWN), 503);
      return;
    }
    if (outcome.ok)
      sendHtml(reply, messagePage('Email verified', `${outcome.email.email} is now on your account.`));
    else
      sendHtml(
        reply,
        messagePage('Not verified', PROBLEMS[outcome.problem]),
        outcome.problem === 'in_use' ? 409 : 400,
      );
  }

  @Get(':id')
  async codePage(
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.off(reply)) return;
    const visitor = await this.visitors.visitor(req, reply);
    if (!visitor) {
      this.visitors.signIn(reply);
      return;
    }
    const pending = await this.emails.pending(visitor.user, id);
    if (pending === null || pending.completedAt !== null) {
      void reply.redirect('/account/#emails', 303);
      return;
    }
    this.sendCodePage(reply, visitor, id, pending.email);
  }

  @Post(':id/verify')
  async verify(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.off(reply)) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'emails-verify', id);
    if (!visitor) return;
    const outcome = await this.mirrored(() => this.emails.verifyCode(visitor.user, id, form['code']));
    if (outcome === 'homeserver_down') {
      await this.overviews.send(reply, visitor, { emailError: HOMESERVER_DOWN }, 503);
      return;
    }
    if (outcome.ok) {
      void reply.redirect('/account/?done=email', 303);
      return;
    }
    const pending = await this.emails.pending(visitor.user, id);
    if (outcome.problem === 'wrong_code' && pending !== null) {
      this.sendCodePage(reply, visitor, id, pending.email, PROBLEMS.wrong_code, 400);
      return;
    }
    await this.overviews.send(
      reply,
      visitor,
      { emailError: PROBLEMS[outcome.problem] },
      outcome.problem === 'in_use' ? 409 : 400,
    );
  }

  @Post(':id/remove')
  async remove(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.off(reply)) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'emails-remove', id);
    if (!visitor) return;
    const removed = await this.mirrored(() => this.emails.remove(visitor.user, id));
    if (removed === 'homeserver_down') {
      await this.overviews.send(reply, visitor, { emailError: HOMESERVER_DOWN }, 503);
      return;
    }
    void reply.redirect(removed ? '/account/?done=email-removed' : '/account/#emails', 303);
  }

  private sendCodePage(
    reply: FastifyReply,
    visitor: Visitor,
    id: string,
    address: string,
    error?: string,
    status = 200,
  ): void {
    const csrf = this.visitors.csrfFor(visitor.user)('emails-verify', id);
    sendHtml(reply, emailCodePage({ id, address, csrf, ...(error === undefined ? {} : { error }) }), status);
  }

  /** The change, with Synapse's refusal to mirror it turned into a page rather than a 500. */
  private async mirrored<T>(change: () => Promise<T>): Promise<T | 'homeserver_down'> {
    try {
      return await change();
    } catch (err) {
      if (err instanceof SynapseCallError) return 'homeserver_down';
      throw err;
    }
  }

  private off(reply: FastifyReply): boolean {
    if (this.config.emailChangeAllowed) return false;
    sendHtml(reply, messagePage('Not found', 'Email addresses cannot be changed here.'), 404);
    return true;
  }
}
