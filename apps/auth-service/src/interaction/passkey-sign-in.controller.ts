import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import { isUsableUser } from '../accounts/usable-user';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { SecondFactor } from '../mfa/second-factor';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import { AUDIT_LOG, AUTH_STORE, SECOND_FACTOR } from '../tokens';
import { InteractionFlow, type Form } from './interaction-flow';
import { passkeySignInPage } from './interaction-pages';

/** Passwordless sign-in with a passkey of this site, offered when passkeys are (AUTH_MFA_ENCRYPTION_KEY). */
@Controller('interaction')
export class PasskeySignInController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
  ) {}

  /** Passwordless sign-in: the page that asks the browser for any passkey of this site. */
  @Get(':uid/passkey')
  async showPasskey(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.details(req, reply);
    if (!details || details.uid !== uid) return;
    if (this.secondFactor === null) {
      passkeysUnavailable(reply);
      return;
    }
    const passkeyOptions = await this.secondFactor.passkeys.authenticationOptions({ kind: 'sign-in' });
    sendHtml(reply, passkeySignInPage({ ...this.flow.form(details), passkeyOptions }));
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
    const details = await this.flow.checked(uid, body, req, reply);
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
        passkeySignInPage({ ...this.flow.form(details), passkeyOptions, error }),
        throttled ? 429 : 401,
      );
      return;
    }
    await this.flow.noteSignedIn(req, details, user.id, null, 'passkey');
    await this.flow.finish(req, reply, { login: { accountId: user.id } });
  }
}

function passkeysUnavailable(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Not available', 'This server does not offer passkeys.'), 404);
}
