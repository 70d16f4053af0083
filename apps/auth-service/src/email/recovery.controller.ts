import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config';
import { sendHtml } from '../pages/form-security';
import { formFields } from '../pages/form-fields';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import { AUTH_CONFIG, PASSWORD_RECOVERY } from '../tokens';
import { RECOVERY_MINUTES, type PasswordRecovery } from './password-recovery';
import { recoverDonePage, recoverFinishPage, recoverPage, recoverSentPage } from './recovery-pages';

const EXPIRED = 'This link has expired or has already been used. Ask for a new one.';

/**
 * `/recover` (MAS's path): ask for a link by email address, then `/recover/finish?ticket=` to set a
 * new password. Off (404) unless AUTH_PASSWORD_RECOVERY_ENABLED, which needs mail configured. No
 * CSRF token: the request form only sends mail to an address's owner, and the finish form carries
 * the ticket, which only the mailbox knows.
 */
@Controller('recover')
export class RecoveryController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(PASSWORD_RECOVERY) private readonly recovery: PasswordRecovery,
  ) {}

  @Get()
  form(@Res() reply: FastifyReply): void {
    if (this.off(reply)) return;
    sendHtml(reply, recoverPage({}));
  }

  @Post()
  async request(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.off(reply)) return;
    const email = formFields(body)['email'];
    const result = await this.recovery.request(email, req.ip);
    if (result.ok) {
      sendHtml(reply, recoverSentPage(RECOVERY_MINUTES));
      return;
    }
    if (result.problem === 'limited') {
      void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      const error = `Too many mails asked for. Try again in ${waitText(result.retryAfterMs)}.`;
      sendHtml(reply, recoverPage({ email: email ?? '', error }), 429);
      return;
    }
    sendHtml(reply, recoverPage({ email: email ?? '', error: 'That is not an email address.' }), 400);
  }

  @Get('finish')
  async finishForm(@Res() reply: FastifyReply, @Query('ticket') ticket?: unknown): Promise<void> {
    if (this.off(reply)) return;
    if ((await this.recovery.ticket(ticket)) === null || typeof ticket !== 'string') {
      sendHtml(reply, messagePage('Link expired', EXPIRED), 400);
      return;
    }
    sendHtml(reply, recoverFinishPage({ ticket }));
  }

  @Post('finish')
  async finish(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    if (this.off(reply)) return;
    const form = formFields(body);
    const ticket = form['ticket'] ?? '';
    const password = form['new_password'] ?? '';
    if (password !== (form['confirm_password'] ?? '')) {
      const ok = (await this.recovery.ticket(ticket)) !== null;
      if (ok) sendHtml(reply, recoverFinishPage({ ticket, error: 'The new passwords do not match.' }), 400);
      else sendHtml(reply, messagePage('Link expired', EXPIRED), 400);
      return;
    }
    const result = await this.recovery.finish(ticket, password);
    if (result.ok) sendHtml(reply, recoverDonePage());
    else if (result.problem === 'password')
      sendHtml(reply, recoverFinishPage({ ticket, error: result.message }), 400);
    else sendHtml(reply, messagePage('Link expired', EXPIRED), 400);
  }

  private off(reply: FastifyReply): boolean {
    if (this.config.passwordRecoveryEnabled) return false;
    sendHtml(reply, messagePage('Not found', 'Password recovery is not offered here.'), 404);
    return true;
  }
}
