import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import { localpartFromLoginIdentifier } from '../accounts/localpart';
import type { SignIn } from '../accounts/sign-in';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import { AUDIT_LOG, AUTH_CONFIG, AUTH_STORE, SIGN_IN } from '../tokens';
import { InteractionFlow, type Form } from './interaction-flow';

/** The sign-in page's password form: the first factor, then the second step when the account has one. */
@Controller('interaction')
export class PasswordSignInController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(SIGN_IN) private readonly signIn: SignIn,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  @Post(':uid/login')
  async login(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    if (!this.config.passwordLoginEnabled) {
      sendHtml(reply, messagePage('Not available', 'This server does not accept passwords.'), 403);
      return;
    }
    const username = body['username'] ?? '';
    const result = await this.signIn.attempt(username, body['password'] ?? '', req.ip);
    if (result.ok && (await this.flow.askSecondFactor(reply, details, result.user, username))) return;
    if (result.ok) await this.flow.noteSignedIn(req, details, result.user.id, null);
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
        this.flow.loginAgain(
          reply,
          details,
          username,
          `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`,
          429,
        );
      } else this.flow.loginAgain(reply, details, username, 'Wrong username or password.', 401);
      return;
    }
    await this.flow.finish(req, reply, { login: { accountId: result.user.id } });
  }
}
