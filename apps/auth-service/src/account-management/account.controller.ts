import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import { AdminApiError } from '@gateway/server';
import type { Accounts } from '../accounts/accounts';
import type { SignIn } from '../accounts/sign-in';
import type { AdminUsers } from '../admin-api/admin-users';
import type { CompatLogin } from '../compat/compat-login';
import type { AuditEventType } from '../audit/audit-events';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { UserEmails } from '../email/user-emails';
import type { AuthConfig } from '../config';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import type { SessionEnd } from '../sessions/session-end';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  ACCOUNTS,
  AUDIT_LOG,
  ADMIN_USERS,
  AUTH_CONFIG,
  AUTH_STORE,
  COMPAT_LOGIN,
  CSRF_KEY,
  OIDC_PROVIDER,
  SESSION_END,
  SIGN_IN,
  SYNAPSE,
  USER_EMAILS,
} from '../tokens';
import { accountView, isAccountAction } from './account-actions';
import { AccountOverview, passwordSection } from './account-overview';
import {
  crossSigningAllowedPage,
  crossSigningResetPage,
  deactivatePage,
  sessionPage,
  type OverviewView,
} from './account-pages';
import { AccountSessions, type SessionKind } from './account-sessions';
import { AccountVisitors, type Form, type Visitor } from './account-visitor';

/** What a finished action says on the overview; fixed texts, so nothing from the URL is echoed. */
const NOTICES = {
  profile: 'Display name saved.',
  password: 'Password changed.',
  ended: 'Signed out.',
  email: 'Email address verified.',
  'email-removed': 'Email address removed.',
  linked: 'Account linked.',
  unlinked: 'Account unlinked.',
} as const;

/**
 * `account_management_uri` (MSC4191): profile (display name, in Synapse), password, the sessions of
 * every kind with a way to end each (which deletes its device in Synapse), cross-signing reset approval
 * and deactivation. Signing in here goes through the normal authorization flow with a built-in
 * first-party client; the browser session it leaves behind is what this page reads. Every form carries
 * a CSRF token bound to the user and what the form acts on.
 */
@Controller('account')
export class AccountController {
  private readonly sessions: AccountSessions;
  private readonly visitors: AccountVisitors;
  private readonly overviews: AccountOverview;

  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(SESSION_END) private readonly sessionEnd: SessionEnd,
    @Inject(SYNAPSE) private readonly synapse: SynapseMasClient,
    @Inject(ACCOUNTS) private readonly accounts: Accounts,
    @Inject(SIGN_IN) private readonly signInCheck: SignIn,
    @Inject(COMPAT_LOGIN) private readonly compat: CompatLogin,
    @Inject(ADMIN_USERS) private readonly adminUsers: AdminUsers,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(USER_EMAILS) emails: UserEmails,
  ) {
    this.sessions = new AccountSessions(provider, store);
    this.visitors = new AccountVisitors(provider, store, config, csrfKey);
    this.overviews = new AccountOverview(synapse, this.sessions, this.visitors, emails, config, store);
  }

  @Get()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('action') action?: string,
    @Query('device_id') deviceId?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const visitor = await this.visitors.visitor(req, reply);
    if (!visitor) {
      this.visitors.signIn(reply, action, deviceId);
      return;
    }
    const { user } = visitor;
    const csrf = this.visitors.csrfFor(user);
    const view = accountView(action);
    if (view === 'cross-signing-reset') {
      sendHtml(reply, crossSigningResetPage({ userId: this.mxid(user), csrf: csrf('cross-signing-reset') }));
      return;
    }
    if (view === 'deactivate') {
      sendHtml(
        reply,
        deactivatePage({ userId: this.mxid(user), csrf: csrf('deactivate'), confirm: confirmBy(user) }),
      );
      return;
    }
    if ((view === 'session' || view === 'session-end') && deviceId !== undefined) {
      const all = await this.sessions.list(user, visitor.sessionId);
      const session = all.find((s) => s.deviceId === deviceId);
      if (session) {
        sendHtml(reply, sessionPage({ session, csrf, confirmEnd: view === 'session-end' }));
        return;
      }
      await this.overview(reply, visitor, { missingDevice: deviceId }, 404);
      return;
    }
    const notice =
      done !== undefined && Object.hasOwn(NOTICES, done) ? NOTICES[done as keyof typeof NOTICES] : undefined;
    await this.overview(reply, visitor, notice === undefined ? {} : { notice });
  }

  @Get('callback')
  callback(@Res() reply: FastifyReply, @Query('state') state?: string): void {
    // The sign-in left a browser session; the code itself is not needed. The state carries the MSC4191
    // action the visitor came for, so it survives the sign-in.
    const wanted = new URLSearchParams(state?.slice(0, 1024) ?? '');
    const back = new URLSearchParams();
    const action = wanted.get('action');
    if (action !== null && isAccountAction(action)) back.set('action', action);
    const deviceId = wanted.get('device_id');
    if (deviceId !== null) back.set('device_id', deviceId);
    const query = back.toString();
    void reply.redirect(`/account/${query === '' ? '' : `?${query}`}`, 303);
  }

  @Post('profile')
  async profile(
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, 'profile');
    if (!visitor) return;
    const displayName = (body['displayname'] ?? '').trim();
    // Synapse's own limit for a display name.
    if (displayName.length > 256) {
      await this.overview(reply, visitor, { profileError: 'That display name is too long.' }, 400);
      return;
    }
    try {
      if (displayName === '') await this.synapse.unsetDisplayName(visitor.user.localpart);
      else await this.synapse.setDisplayName(visitor.user.localpart, displayName);
    } catch (err) {
      if (!(err instanceof SynapseCallError)) throw err;
      await this.overview(
        reply,
        visitor,
        { profileError: 'The homeserver did not take the change. Try again.' },
        503,
      );
      return;
    }
    await this.noted(req, visitor.user, 'account.displayname.changed', { removed: displayName === '' });
    void reply.redirect('/account/?done=profile', 303);
  }

  @Post('password')
  async password(
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, 'password');
    if (!visitor) return;
    // Only a password can be changed: an account without one (made through an upstream provider) has
    // none to confirm, and with passwords off a new one would be no way in.
    const section = passwordSection(this.config, visitor.user.passwordHash);
    if (section !== 'change') {
      const passwordError =
        section === 'none'
          ? 'This account has no password to change.'
          : 'Passwords are turned off on this server.';
      await this.overview(reply, visitor, { passwordError }, 400);
      return;
    }
    const refusal = await this.confirmPassword(visitor.user, body['current_password'], req, reply);
    if (refusal !== null) {
      await this.overview(reply, visitor, { passwordError: refusal.message }, refusal.status);
      return;
    }
    const next = body['new_password'] ?? '';
    if (next !== (body['confirm_password'] ?? '')) {
      await this.overview(reply, visitor, { passwordError: 'The new passwords do not match.' }, 400);
      return;
    }
    const result = await this.accounts.setPassword(visitor.user.localpart, next);
    if (!result.ok) {
      await this.overview(reply, visitor, { passwordError: result.reason }, 400);
      return;
    }
    await this.noted(req, visitor.user, 'account.password.changed');
    void reply.redirect('/account/?done=password', 303);
  }

  @Post('sessions/:grantId/end')
  endOAuth(
    @Param('grantId') grantId: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.endSession('oauth', grantId, body, req, reply);
  }

  @Post('compat-sessions/:id/end')
  endCompat(
    @Param('id') id: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.endSession('compat', id, body, req, reply);
  }

  @Post('browser-sessions/:key/end')
  endBrowser(
    @Param('key') key: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.endSession('browser', key, body, req, reply);
  }

  @Post('cross-signing-reset')
  async crossSigningReset(
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, 'cross-signing-reset');
    if (!visitor) return;
    try {
      await this.synapse.allowCrossSigningReset(visitor.user.localpart);
    } catch (err) {
      if (!(err instanceof SynapseCallError)) throw err;
      const error = 'The homeserver did not answer. Try again.';
      const csrf = this.visitors.csrfFor(visitor.user)('cross-signing-reset');
      sendHtml(reply, crossSigningResetPage({ userId: this.mxid(visitor.user), csrf, error }), 503);
      return;
    }
    await this.noted(req, visitor.user, 'account.cross-signing-reset.allowed');
    sendHtml(reply, crossSigningAllowedPage());
  }

  @Post('deactivate')
  async deactivate(
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, 'deactivate');
    if (!visitor) return;
    const { user } = visitor;
    const again = (error: string, status: number): void => {
      const csrf = this.visitors.csrfFor(user)('deactivate');
      sendHtml(
        reply,
        deactivatePage({ userId: this.mxid(user), csrf, confirm: confirmBy(user), error }),
        status,
      );
    };
    if (confirmBy(user) === 'user-id') {
      if ((body['confirm_user_id'] ?? '').trim() !== this.mxid(user)) {
        again('Type your user ID exactly as shown.', 400);
        return;
      }
    } else {
      const refusal = await this.confirmPassword(user, body['password'], req, reply);
      if (refusal !== null) {
        again(refusal.message, refusal.status);
        return;
      }
    }
    try {
      await this.adminUsers.deactivate(user.id, body['erase'] !== 'yes');
    } catch (err) {
      if (!(err instanceof AdminApiError)) throw err;
      again('The homeserver did not answer. Try again.', 503);
      return;
    }
    await this.noted(req, user, 'account.deactivated', { erase: body['erase'] === 'yes' });
    // Signed out of every browser too: the account is gone.
    for (const b of await this.store.payloads.browserSessionsOf(user.id))
      await this.store.payloads.destroy('Session', b.key);
    sendHtml(
      reply,
      messagePage('Account deactivated', `${this.mxid(user)} is deactivated and signed out everywhere.`),
    );
  }

  private async endSession(
    kind: SessionKind,
    id: string,
    body: Form,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const visitor = await this.visitors.checked(req, reply, body, `end-${kind}`, id);
    if (!visitor) return;
    const { user } = visitor;
    // Only the visitor's own live sessions: an id from elsewhere ends nothing.
    const session = (await this.sessions.list(user, visitor.sessionId)).find(
      (s) => s.kind === kind && s.id === id,
    );
    if (session) {
      switch (kind) {
        case 'oauth':
          await this.store.payloads.revokeByGrantId(id);
          await this.sessionEnd.grantRevoked(id);
          break;
        case 'compat':
          await this.compat.endSession(user.id, id);
          break;
        case 'browser':
          await this.store.payloads.destroy('Session', id);
          break;
      }
      // A browser session's id is its cookie's key: not kept.
      await this.noted(req, user, 'session.ended', { kind }, kind === 'browser' ? null : id);
    }
    void reply.redirect('/account/?done=ended', 303);
  }

  /** Records what the visitor did to their own account (fail-open: their change is made). */
  private noted(
    req: FastifyRequest,
    user: User,
    type: AuditEventType,
    details: Record<string, string | boolean> = {},
    subject: string | null = user.id,
  ): Promise<void> {
    return this.audit.note({
      type,
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject,
      origin: originOf(req),
      details,
    });
  }

  private overview(
    reply: FastifyReply,
    visitor: Visitor,
    extra: Partial<OverviewView>,
    status = 200,
  ): Promise<void> {
    return this.overviews.send(reply, visitor, extra, status);
  }

  /** The password check before a change that needs it, with the sign-in form's attempt budget. */
  private async confirmPassword(
    user: User,
    password: string | undefined,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ message: string; status: number } | null> {
    const result = await this.signInCheck.attempt(user.localpart, password ?? '', req.ip);
    if (result.ok && result.user.id === user.id) return null;
    if (!result.ok && result.reason === 'throttled') {
      void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      return {
        message: `Too many wrong passwords. Try again in ${waitText(result.retryAfterMs)}.`,
        status: 429,
      };
    }
    return { message: 'That password is not right.', status: 401 };
  }

  private mxid(user: User): string {
    return `@${user.localpart}:${this.config.homeserver}`;
  }
}

/** How deactivation is confirmed: the password, or the user ID typed out when there is no password. */
function confirmBy(user: User): 'password' | 'user-id' {
  return user.passwordHash === null ? 'user-id' : 'password';
}
