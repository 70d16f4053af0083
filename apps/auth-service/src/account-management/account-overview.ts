import type { FastifyReply } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import type { UserEmails } from '../email/user-emails';
import { sendHtml } from '../pages/form-security';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { overviewPage, type OverviewView, type UpstreamView } from './account-pages';
import type { AccountSessions } from './account-sessions';
import type { AccountVisitors, Visitor } from './account-visitor';

/** What the password section offers: nothing to change without a password, or with passwords off. */
export function passwordSection(config: AuthConfig, passwordHash: string | null): OverviewView['password'] {
  if (!config.passwordLoginEnabled) return 'off';
  return passwordHash === null ? 'none' : 'change';
}

/** The account page's overview, shared by the controllers whose forms post back to it with an error. */
export class AccountOverview {
  constructor(
    private readonly synapse: SynapseMasClient,
    private readonly sessions: AccountSessions,
    private readonly visitors: AccountVisitors,
    private readonly emails: UserEmails,
    private readonly config: AuthConfig,
    private readonly store: AuthStore,
  ) {}

  async send(
    reply: FastifyReply,
    visitor: Visitor,
    extra: Partial<OverviewView>,
    status = 200,
  ): Promise<void> {
    const { user } = visitor;
    let displayName: string | null = null;
    try {
      displayName = (await this.synapse.queryUser(user.localpart))?.displayName ?? null;
    } catch (err) {
      // The page still serves the sessions and password; the display name field shows empty.
      if (!(err instanceof SynapseCallError)) throw err;
    }
    const view: OverviewView = {
      userId: `@${user.localpart}:${this.config.homeserver}`,
      displayName,
      sessions: await this.sessions.list(user, visitor.sessionId),
      csrf: this.visitors.csrfFor(user),
      emails: { list: await this.emails.list(user), canChange: this.config.emailChangeAllowed },
      mfa: this.config.mfaEncryptionKey === null ? null : await this.store.mfa.hasAnyFactor(user.id),
      upstream: await this.upstream(visitor),
      password: passwordSection(this.config, user.passwordHash),
      ...extra,
    };
    sendHtml(reply, overviewPage(view), status);
  }

  /** The user's upstream links and the providers to link; null when there is neither. */
  private async upstream(visitor: Visitor): Promise<UpstreamView | null> {
    const providers = this.config.upstream.providers;
    const links = await this.store.upstream.linksOfUser(visitor.user.id);
    if (providers.length === 0 && links.length === 0) return null;
    const csrf = this.visitors.csrfFor(visitor.user);
    const names = new Map(providers.map((p) => [p.id, p.humanName ?? p.id]));
    return {
      links: links.map((l) => ({
        id: l.id,
        providerName: names.get(l.providerId) ?? l.providerId,
        accountName: l.humanAccountName,
        createdAt: l.createdAt,
      })),
      // Every provider is offered: one account may link several providers (MAS #3244, #4495).
      providers: providers.map((p) => ({
        name: p.humanName ?? p.id,
        href: `/upstream/authorize/${encodeURIComponent(p.id)}?action=link&csrf=${encodeURIComponent(csrf('upstream-link', p.id))}`,
      })),
    };
  }
}
