import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '@gateway/auth-data';
import { originOf, type AuditLog } from '../audit/audit-log';
import { pendingSecondFactor } from '../mfa/mfa-pending';
import type { SecondFactor, SecondFactorResult } from '../mfa/second-factor';
import type { Clock } from '@gateway/util';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import { AUDIT_LOG, CLOCK, CSRF_KEY, SECOND_FACTOR } from '../tokens';
import { InteractionFlow, type Details, type Form } from './interaction-flow';
import { enrolledStepPage } from './interaction-pages';

/**
 * The second step of a sign-in (after a password or an upstream provider): a code or a passkey, and,
 * when AUTH_MFA_REQUIRED asks for a factor the account lacks, setting one up. Each form carries the
 * first step's proof (`pending`), which InteractionFlow.pendingSignIn checks.
 */
@Controller('interaction')
export class SecondFactorController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The second step: a TOTP code or a recovery code, with the password form's attempt budget. */
  @Post(':uid/mfa')
  async mfa(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.flow.pendingSignIn(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const result = await this.secondFactor.attempt(user, body['code'] ?? '', req.ip);
    await this.answer(req, reply, body, details, user, result, {
      reason: 'wrong-code',
      error: 'That code is not right.',
    });
  }

  /** The second step with a passkey: an assertion, user-verified, from one of this user's passkeys. */
  @Post(':uid/mfa-passkey')
  async mfaPasskey(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.flow.pendingSignIn(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const result = await this.secondFactor.attemptPasskey(user, body['response'] ?? '', req.ip);
    await this.answer(req, reply, body, details, user, result, {
      reason: 'wrong-passkey',
      error: 'That passkey was not accepted. Try again.',
    });
  }

  /**
   * Finishes the sign-in after a right second factor; after a wrong one (audited with `wrong.reason`,
   * or `throttled`) shows the step again with `wrong.error`, or the wait when throttled.
   */
  private async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    body: Form,
    details: Details,
    user: User,
    result: SecondFactorResult,
    wrong: { reason: string; error: string },
  ): Promise<void> {
    if (result.ok) {
      await this.flow.noteSignedIn(req, details, user.id, result.used);
      await this.flow.finish(req, reply, { login: { accountId: user.id } });
      return;
    }
    const throttled = result.reason === 'throttled';
    await this.audit.note({
      type: 'user.login.mfa.failed',
      outcome: 'failed',
      actor: { kind: 'anonymous' },
      subject: user.id,
      origin: originOf(req),
      details: { reason: throttled ? 'throttled' : wrong.reason },
    });
    if (throttled) void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
    const error = throttled
      ? `Too many failed attempts. Try again in ${waitText(result.retryAfterMs)}.`
      : wrong.error;
    await this.flow.secondFactorStep(
      reply,
      details,
      user,
      body['pending'] ?? '',
      error,
      throttled ? 429 : 401,
    );
  }

  /** AUTH_MFA_REQUIRED: the factor set up during sign-in, confirmed with a code from the app. */
  @Post(':uid/mfa-enrol')
  async mfaEnrol(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.flow.enrollingUser(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const codes = await this.secondFactor.mfa.confirmEnrolment(user.id, body['code'] ?? '');
    if (codes === null) {
      const error =
        'That code is not right. Check the time on your phone and type the code the app shows now.';
      await this.flow.enrolStep(reply, details, user, body['pending'] ?? '', error);
      return;
    }
    await this.audit.note({
      type: 'account.mfa.totp.enabled',
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      origin: originOf(req),
    });
    this.enrolled(reply, details, user.id, codes);
  }

  /**
   * AUTH_MFA_REQUIRED: the factor set up during sign-in as a passkey, through the account page's
   * ceremony (`Passkeys.register`) with a challenge issued for this interaction alone; recovery codes
   * come with it, as with the account page's first passkey.
   */
  @Post(':uid/mfa-enrol-passkey')
  async mfaEnrolPasskey(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.flow.enrollingUser(uid, body, reply, details);
    if (this.secondFactor === null || user === null) return;
    const { passkeys, mfa } = this.secondFactor;
    if (!(await passkeys.register(user.id, body['response'] ?? '', body['name'] ?? '', uid))) {
      const error = 'No passkey was added: the browser did not send one this server could check. Try again.';
      await this.flow.enrolStep(reply, details, user, body['pending'] ?? '', error);
      return;
    }
    await this.audit.note({
      type: 'account.mfa.passkey.added',
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      origin: originOf(req),
    });
    const codes = await mfa.regenerateRecoveryCodes(user.id);
    if (codes === null) {
      // The passkey went between the two writes (removed elsewhere): nothing set up to continue with.
      this.flow.loginAgain(reply, details, '', 'Sign in again.', 400);
      return;
    }
    this.enrolled(reply, details, user.id, codes);
  }

  /**
   * The new factor's recovery codes, shown once before finishing, with a proof of its own: the
   * password step's proof must not skip the factor once it exists.
   */
  private enrolled(reply: FastifyReply, details: Details, userId: string, codes: string[]): void {
    const pending = pendingSecondFactor(this.csrfKey, `enrolled:${details.uid}`, userId, this.clock());
    sendHtml(reply, enrolledStepPage({ ...this.flow.form(details), pending, recoveryCodes: codes }));
  }

  @Post(':uid/mfa-enrolled')
  async mfaEnrolled(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    // The factor is set up by now: finishing needs only the user.
    const user = await this.flow.pendingSignIn(`enrolled:${uid}`, body, reply, details, false);
    if (user === null) return;
    await this.flow.noteSignedIn(req, details, user.id, 'enrolled');
    await this.flow.finish(req, reply, { login: { accountId: user.id } });
  }
}
