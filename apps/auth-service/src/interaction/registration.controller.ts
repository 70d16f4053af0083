import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SelfRegistration } from '../accounts/self-registration';
import type { AuthConfig } from '../config';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText, type AuthLimits } from '../rate-limits/auth-limits';
import { AUTH_CONFIG, AUTH_LIMITS, SELF_REGISTRATION } from '../tokens';
import { InteractionFlow, type Form } from './interaction-flow';
import { registerPage } from './interaction-pages';

/** Registration inside an authorization (prompt=create, or the sign-in page's link), when it is open. */
@Controller('interaction')
export class RegistrationController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LIMITS) private readonly limits: AuthLimits,
    @Inject(SELF_REGISTRATION) private readonly registration: SelfRegistration,
  ) {}

  @Get(':uid/register')
  async showRegister(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.details(req, reply);
    if (!details || details.uid !== uid) return;
    if (!this.config.registrationEnabled) {
      registrationClosed(reply);
      return;
    }
    sendHtml(reply, registerPage(this.flow.registerForm(details)));
  }

  @Post(':uid/register')
  async register(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    if (!this.config.registrationEnabled) {
      registrationClosed(reply);
      return;
    }
    const username = body['username'] ?? '';
    const limited = await this.limits.registrationPerIp?.consume(req.ip);
    if (limited?.allowed === false) {
      void reply.header('Retry-After', retryAfterSeconds(limited.retryAfterMs));
      const error = `Too many new accounts from your network. Try again in ${waitText(limited.retryAfterMs)}.`;
      sendHtml(reply, registerPage({ ...this.flow.registerForm(details, body), username, error }), 429);
      return;
    }
    const result = await this.registration.register(username, body['password'] ?? '', body['token']);
    if (!result.ok) {
      sendHtml(
        reply,
        registerPage({ ...this.flow.registerForm(details, body), username, error: result.reason }),
        400,
      );
      return;
    }
    // `create` answers the requested prompt=create; `login` starts the browser session.
    await this.flow.finish(req, reply, { create: {}, login: { accountId: result.user.id } });
  }
}

function registrationClosed(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Registration is closed', 'Ask the server administrator for an account.'), 403);
}
