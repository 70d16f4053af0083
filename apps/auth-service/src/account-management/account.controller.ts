import { createHash, randomBytes } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import { ACCOUNT_CLIENT_ID } from '../oidc/provider.factory';
import { accountPage } from './account-pages';
import { csrfToken, csrfValid, sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import type { SessionEnd } from '../sessions/session-end';
import { AUTH_CONFIG, AUTH_STORE, CSRF_KEY, OIDC_PROVIDER, SESSION_END } from '../tokens';

/**
 * `account_management_uri` (MSC4191): the signed-in devices and a way to sign each out, which deletes
 * the device in Synapse. Signing in here goes through the normal authorization flow with a built-in
 * first-party client; the browser session it leaves behind is what this page reads.
 */
@Controller('account')
export class AccountController {
  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) private readonly csrfKey: string,
    @Inject(SESSION_END) private readonly sessionEnd: SessionEnd,
  ) {}

  @Get()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('action') action?: string,
    @Query('device_id') deviceId?: string,
  ): Promise<void> {
    const user = await this.user(req, reply);
    if (!user) {
      this.signIn(reply);
      return;
    }
    const sessions = await this.store.sessions.activeForUser(user.id);
    sendHtml(
      reply,
      accountPage({
        userId: `@${user.localpart}:${this.config.homeserver}`,
        sessions,
        csrf: (g) => csrfToken(this.csrfKey, 'account', user.id, g),
        action,
        deviceId,
      }),
    );
  }

  @Get('callback')
  callback(@Res() reply: FastifyReply): void {
    // The sign-in left a browser session; the code itself is not needed.
    void reply.redirect('/account/', 303);
  }

  @Post('sessions/:grantId/end')
  async end(
    @Param('grantId') grantId: string,
    @Body() body: Record<string, string | undefined>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const user = await this.user(req, reply);
    if (!user) {
      this.signIn(reply);
      return;
    }
    if (!csrfValid(this.csrfKey, body['csrf'], 'account', user.id, grantId)) {
      sendHtml(reply, messagePage('Request refused', 'Go back and try again.'), 403);
      return;
    }
    const session = (await this.store.sessions.activeForUser(user.id)).find((s) => s.grantId === grantId);
    if (session) {
      await this.store.payloads.revokeByGrantId(grantId);
      await this.sessionEnd.grantRevoked(grantId);
    }
    void reply.redirect('/account/', 303);
  }

  private async user(req: FastifyRequest, reply: FastifyReply) {
    const session = await this.provider.Session.get(this.provider.createContext(req.raw, reply.raw));
    return session.accountId === undefined ? null : this.store.users.findById(session.accountId);
  }

  private signIn(reply: FastifyReply): void {
    const url = new URL(`${this.config.baseUrl}/authorize`);
    url.searchParams.set('client_id', ACCOUNT_CLIENT_ID);
    url.searchParams.set('redirect_uri', `${this.config.baseUrl}/account/callback`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid');
    // PKCE is required of every client; the code is never exchanged, so the verifier is dropped.
    url.searchParams.set('code_challenge', createHash('sha256').update(randomBytes(32)).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    void reply.redirect(url.toString(), 303);
  }
}
