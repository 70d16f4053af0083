import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUsableUser } from '../accounts/usable-user';
import { originOf, type AuditLog } from '../audit/audit-log';
import { AUDIT_LOG, UPSTREAM_SIGN_IN } from '../tokens';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in';
import { InteractionFlow } from './interaction-flow';

/** The interaction's side of a sign-in through an upstream provider (upstream/ decides the account). */
@Controller('interaction')
export class UpstreamFinishController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(UPSTREAM_SIGN_IN) private readonly upstream: UpstreamSignIn,
  ) {}

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
    const details = await this.flow.details(req, reply);
    if (!details || details.uid !== uid) return;
    const decided = await this.upstream.takeDecided(sessionId, uid);
    if (decided === null) {
      this.flow.loginAgain(reply, details, '', 'Sign in again: that took too long.', 400);
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
      this.flow.loginAgain(reply, details, '', 'This account cannot sign in.', 403);
      return;
    }
    // Before the second factor: the session is bound when the authorization resumes, however it gets there.
    await this.upstream.recordSignIn(decided.session, user.id, uid);
    if (await this.flow.askSecondFactor(reply, details, user, '')) return;
    await this.flow.noteSignedIn(req, details, user.id, null, 'upstream', provider);
    await this.flow.finish(req, reply, { login: { accountId: user.id } });
  }
}
