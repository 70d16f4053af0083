import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import type { UserEmails } from '../email/user-emails';
import { FormBody } from '../pages/form-fields';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUDIT_LOG, AUTH_CONFIG, AUTH_STORE, CSRF_KEY, OIDC_PROVIDER, SYNAPSE, USER_EMAILS } from '../tokens';
import { AccountOverview } from './account-overview';
import { AccountSessions } from './account-sessions';
import { AccountVisitors, type Form } from './account-visitor';

/**
 * The account page's "Sign-in methods": unlinking an upstream provider account. Linking goes through
 * the provider (`/upstream/authorize/{id}?action=link`, upstream/). An unlink that would leave the
 * account with no way to sign in (no password, no passkey, no other link to a configured provider) is
 * refused.
 */
@Controller('account/linked-accounts')
export class AccountLinksController {
  private readonly visitors: AccountVisitors;
  private readonly overviews: AccountOverview;

  constructor(
    @Inject(OIDC_PROVIDER) provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) csrfKey: string,
    @Inject(SYNAPSE) synapse: SynapseMasClient,
    @Inject(USER_EMAILS) emails: UserEmails,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
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

  @Post(':linkId/unlink')
  async unlink(
    @Param('linkId') linkId: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, 'upstream-unlink', linkId);
    if (!visitor) return;
    const { user } = visitor;
    const links = await this.store.upstream.linksOfUser(user.id);
    const link = links.find((l) => l.id === linkId);
    if (link === undefined) {
      await this.overviews.send(reply, visitor, { upstreamError: 'That account is not linked.' }, 404);
      return;
    }
    if (
      !(await this.hasOtherWayIn(
        user,
        links.filter((l) => l.id !== linkId),
      ))
    ) {
      const upstreamError =
        'This is the only way you can sign in. Set a password or link another account before unlinking it.';
      await this.overviews.send(reply, visitor, { upstreamError }, 409);
      return;
    }
    if ((await this.store.upstream.removeLink(linkId, user.id)) === null) {
      await this.overviews.send(reply, visitor, { upstreamError: 'That account is not linked.' }, 404);
      return;
    }
    await this.audit.note({
      type: 'account.upstream-link.removed',
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      origin: originOf(req),
      details: { provider: link.providerId },
    });
    void reply.redirect('/account/?done=unlinked', 303);
  }

  /** A password (when passwords are on), a passkey, or a link to a provider still configured. */
  private async hasOtherWayIn(user: User, otherLinks: { providerId: string }[]): Promise<boolean> {
    if (user.passwordHash !== null && this.config.passwordLoginEnabled) return true;
    const configured = new Set(this.config.upstream.providers.map((p) => p.id));
    if (otherLinks.some((l) => configured.has(l.providerId))) return true;
    return (await this.store.passkeys.list(user.id)).length > 0;
  }
}
