import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import { isUsableUser } from '../accounts/usable-user';
import type { AuthConfig } from '../config';
import { ACCOUNT_CLIENT_ID } from '../oidc/provider.factory';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { isAccountAction } from './account-actions';
import type { CsrfFor } from './account-pages';

export type Form = Record<string, string | undefined>;

export interface Visitor {
  user: User;
  /** This browser's oidc-provider session id (the `_session` cookie). */
  sessionId: string;
}

/**
 * Who is looking at the account page: the browser session oidc-provider keeps, its user while usable,
 * the CSRF tokens bound to that user, and the way in for a visitor who is not signed in (the normal
 * authorization flow with the built-in first-party client, carrying the MSC4191 action in `state`).
 */
export class AccountVisitors {
  constructor(
    private readonly provider: Provider,
    private readonly store: AuthStore,
    private readonly config: AuthConfig,
    private readonly csrfKey: string,
  ) {}

  csrfFor(user: User): CsrfFor {
    return (...target) => csrfToken(this.csrfKey, 'account', user.id, ...target);
  }

  async visitor(req: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
    const session = await this.provider.Session.get(this.provider.createContext(req.raw, reply.raw));
    if (session.accountId === undefined) return null;
    const user = await this.store.users.findById(session.accountId);
    // A deactivated or locked account has no account page.
    return isUsableUser(user) ? { user, sessionId: session.jti } : null;
  }

  /** The visitor, when signed in and the form's CSRF token is for this user and target. */
  async checked(
    req: FastifyRequest,
    reply: FastifyReply,
    body: Form,
    ...target: string[]
  ): Promise<Visitor | null> {
    const visitor = await this.visitor(req, reply);
    if (!visitor) {
      this.signIn(reply);
      return null;
    }
    if (!csrfValid(this.csrfKey, body['csrf'], 'account', visitor.user.id, ...target)) {
      sendHtml(reply, messagePage('Request refused', 'Go back and try again.'), 403);
      return null;
    }
    return visitor;
  }

  signIn(reply: FastifyReply, action?: string, deviceId?: string): void {
    const url = new URL(`${this.config.baseUrl}/authorize`);
    url.searchParams.set('client_id', ACCOUNT_CLIENT_ID);
    url.searchParams.set('redirect_uri', `${this.config.baseUrl}/account/callback`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid');
    // PKCE is required of every client; the code is never exchanged, so the verifier is dropped.
    url.searchParams.set('code_challenge', createHash('sha256').update(randomBytes(32)).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    const wanted = new URLSearchParams();
    if (action !== undefined && isAccountAction(action)) wanted.set('action', action);
    if (deviceId !== undefined) wanted.set('device_id', deviceId);
    if (wanted.size > 0) url.searchParams.set('state', wanted.toString());
    void reply.redirect(url.toString(), 303);
  }
}
