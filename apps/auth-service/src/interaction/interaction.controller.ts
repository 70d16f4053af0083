import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { User } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import { FormBody } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { AUTH_CONFIG, CONSENT_POLICY, OIDC_PROVIDER, UPSTREAM_SIGN_IN } from '../tokens';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in';
import type { ConsentPolicy, ConsentRequest } from './consent-policy';
import { InteractionFlow, param, upstreamStart, type Details, type Form } from './interaction-flow';
import { consentPage, loginPage, registerPage } from './interaction-pages';
import { saveGrant } from './oidc-grant';

/**
 * The human side of the authorization flow: the page an interaction opens on (sign-in, registration
 * for prompt=create, or consent), consent and cancelling. Plain HTML forms that work without
 * JavaScript; oidc-provider ties each interaction to the browser by a signed cookie, and every form
 * also carries a CSRF token bound to the interaction. What may be granted, and when to ask, is
 * ConsentPolicy's; this class maps it onto pages and oidc-provider's interaction. Each sign-in step has
 * its own controller beside this one (password, passkey, second factor, upstream, registration).
 */
@Controller('interaction')
export class InteractionController {
  constructor(
    @Inject(InteractionFlow) private readonly flow: InteractionFlow,
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(CONSENT_POLICY) private readonly policy: ConsentPolicy,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(UPSTREAM_SIGN_IN) private readonly upstream: UpstreamSignIn,
  ) {}

  @Get(':uid')
  async show(
    @Param('uid') uid: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.details(req, reply);
    if (!details || details.uid !== uid) return;
    const name = details.prompt.name;
    if (name === 'create') {
      sendHtml(reply, registerPage(this.flow.registerForm(details)));
      return;
    }
    if (name === 'login') {
      const only = this.upstream.providers.length === 1 ? this.upstream.providers[0] : undefined;
      if (!this.config.passwordLoginEnabled && only !== undefined) {
        // MAS: with passwords off and one provider, the sign-in page is that provider.
        void reply.redirect(upstreamStart(only.id, details.uid), 303);
        return;
      }
      sendHtml(
        reply,
        loginPage({ ...this.flow.loginForm(details), username: loginHint(details, this.config.homeserver) }),
      );
      return;
    }
    return this.consent(details, req, reply);
  }

  @Post(':uid/consent')
  async consentSubmit(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const details = await this.flow.checked(uid, body, req, reply);
    if (!details) return;
    const user = await this.flow.user(details);
    if (!user) {
      signedOut(reply);
      return;
    }
    await this.grant(details, user, req, reply, true);
  }

  @Post(':uid/abort')
  async abort(
    @Param('uid') uid: string,
    @FormBody() body: Form,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.flow.checked(uid, body, req, reply))) return;
    await this.flow.finish(req, reply, {
      error: 'access_denied',
      error_description: 'The user cancelled the request.',
    });
  }

  /** Consent: asked for unless the policy says this user already agreed (or the client is first-party). */
  private async consent(details: Details, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = await this.flow.user(details);
    if (!user) {
      signedOut(reply);
      return;
    }
    const decision = await this.policy.decide(consentRequest(details), user);
    if (decision.kind === 'refuse') return this.flow.finish(req, reply, { ...decision.refusal });
    if (decision.kind === 'grant') return this.grant(details, user, req, reply, false);
    sendHtml(
      reply,
      consentPage({
        ...this.flow.form(details),
        scopes: decision.scopes,
        user: `@${user.localpart}:${this.config.homeserver}`,
      }),
    );
  }

  private async grant(
    details: Details,
    user: User,
    req: FastifyRequest,
    reply: FastifyReply,
    remember: boolean,
  ): Promise<void> {
    const request = consentRequest(details);
    const approval = this.policy.approve(request, user);
    if ('refusal' in approval) return this.flow.finish(req, reply, { ...approval.refusal });
    const grantId = await saveGrant(this.provider, details, user.id, request.clientId, approval.scopes);
    if (remember) await this.policy.remember(user, request.clientId, approval.scopes);
    await this.flow.finish(req, reply, { consent: { grantId } });
  }
}

/**
 * `login_hint=mxid:@user:server` (MAS's form) prefills the username with the localpart, for a user of
 * this homeserver only; any other hint is ignored (and never forwarded to a provider).
 */
function loginHint(details: Details, homeserver: string): string | undefined {
  const hint = details.params['login_hint'];
  if (typeof hint !== 'string' || !hint.startsWith('mxid:@')) return undefined;
  const mxid = hint.slice('mxid:@'.length);
  const colon = mxid.indexOf(':');
  if (colon <= 0 || mxid.slice(colon + 1) !== homeserver) return undefined;
  return mxid.slice(0, colon);
}

function signedOut(reply: FastifyReply): void {
  sendHtml(reply, messagePage('Signed out', 'Your session ended. Start again from the app.'), 400);
}

function consentRequest(details: Details): ConsentRequest {
  return {
    clientId: String(details.params['client_id']),
    scope: param(details, 'scope'),
    // Only its presence matters: the device authorization grant has none.
    responseType: details.params['response_type'] === undefined ? undefined : param(details, 'response_type'),
  };
}
