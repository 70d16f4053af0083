import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuthStore, User } from '@gateway/auth-data';
import type { SignIn } from '../accounts/sign-in';
import type { AuditEventType } from '../audit/audit-events';
import { originOf, type AuditLog } from '../audit/audit-log';
import type { AuthConfig } from '../config';
import type { SecondFactor } from '../mfa/second-factor';
import { formFields } from '../pages/form-fields';
import { sendHtml } from '../pages/form-security';
import { messagePage } from '../pages/layout';
import { retryAfterSeconds, waitText } from '../rate-limits/auth-limits';
import {
  AUDIT_LOG,
  AUTH_CONFIG,
  AUTH_STORE,
  CSRF_KEY,
  OIDC_PROVIDER,
  SECOND_FACTOR,
  SIGN_IN,
} from '../tokens';
import { mfaPage, type MfaView } from './account-mfa-pages';
import { AccountVisitors, type Visitor } from './account-visitor';

/**
 * `/account/mfa`: TOTP enrolment (the secret as a link and as text, active only once a code from the
 * app confirms it), passkeys (added, renamed, removed), recovery codes shown once, new codes and turning
 * a factor off (each after a current code or the password, with the sign-in attempt budget). Absent
 * without AUTH_MFA_ENCRYPTION_KEY.
 */
@Controller('account/mfa')
export class AccountMfaController {
  private readonly visitors: AccountVisitors;

  constructor(
    @Inject(OIDC_PROVIDER) provider: Provider,
    @Inject(AUTH_STORE) store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CSRF_KEY) csrfKey: string,
    @Inject(SECOND_FACTOR) private readonly secondFactor: SecondFactor | null,
    @Inject(SIGN_IN) private readonly signIn: SignIn,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {
    this.visitors = new AccountVisitors(provider, store, config, csrfKey);
  }

  @Get()
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const visitor = await this.visitors.visitor(req, reply);
    if (!visitor) {
      this.visitors.signIn(reply);
      return;
    }
    await this.send(factor, reply, visitor, {});
  }

  @Post('confirm')
  async confirm(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const visitor = await this.visitors.checked(req, reply, formFields(body), 'mfa-confirm');
    if (!visitor) return;
    const codes = await factor.mfa.confirmEnrolment(visitor.user.id, formFields(body)['code'] ?? '');
    if (codes === null) {
      const error =
        'That code is not right. Check the time on your phone and type the code the app shows now.';
      await this.send(factor, reply, visitor, { error }, 400);
      return;
    }
    await this.noted(req, visitor.user, 'account.mfa.totp.enabled');
    await this.send(factor, reply, visitor, {
      notice: 'Two-factor authentication is on.',
      recoveryCodes: codes,
    });
  }

  @Post('recovery-codes')
  async regenerate(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'mfa-recovery-codes');
    if (!visitor) return;
    if (!(await this.proven(factor, visitor, form, req, reply))) return;
    const codes = await factor.mfa.regenerateRecoveryCodes(visitor.user.id);
    if (codes !== null) await this.noted(req, visitor.user, 'account.mfa.recovery-codes.regenerated');
    await this.send(factor, reply, visitor, codes === null ? {} : { recoveryCodes: codes });
  }

  @Post('disable')
  async disable(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'mfa-disable');
    if (!visitor) return;
    if (!(await this.proven(factor, visitor, form, req, reply))) return;
    if (await factor.mfa.disable(visitor.user.id))
      await this.noted(req, visitor.user, 'account.mfa.totp.disabled');
    await this.send(factor, reply, visitor, { notice: 'Two-factor authentication is off.' });
  }

  /**
   * Adds a passkey the browser created for this page's options, after the password (or a current
   * code): a session alone must not be enough to add a way in. The first factor comes with recovery
   * codes, as TOTP's does.
   */
  @Post('passkeys')
  async addPasskey(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const form = formFields(body);
    const visitor = await this.visitors.checked(req, reply, form, 'mfa-passkey-add');
    if (!visitor) return;
    if (!(await this.proven(factor, visitor, form, req, reply))) return;
    const first = !(await factor.mfa.enabled(visitor.user.id));
    const added = await factor.passkeys.register(visitor.user.id, form['response'] ?? '', form['name'] ?? '');
    if (!added) {
      const error = 'No passkey was added: the browser did not send one this server could check. Try again.';
      await this.send(factor, reply, visitor, { error }, 400);
      return;
    }
    await this.noted(req, visitor.user, 'account.mfa.passkey.added');
    const codes = first ? await factor.mfa.regenerateRecoveryCodes(visitor.user.id) : null;
    await this.send(factor, reply, visitor, {
      notice: 'Passkey added.',
      ...(codes === null ? {} : { recoveryCodes: codes }),
    });
  }

  @Post('passkeys/rename')
  async renamePasskey(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const form = formFields(body);
    const credential = form['credential'] ?? '';
    const visitor = await this.visitors.checked(req, reply, form, 'mfa-passkey-rename', credential);
    if (!visitor) return;
    const renamed = await factor.passkeys.rename(visitor.user.id, credential, form['name'] ?? '');
    await this.send(
      factor,
      reply,
      visitor,
      renamed ? { notice: 'Passkey renamed.' } : { error: 'No such passkey.' },
      renamed ? 200 : 404,
    );
  }

  /** Removes a passkey after the password (or a current code), as turning TOTP off does. */
  @Post('passkeys/remove')
  async removePasskey(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const factor = this.offered(reply);
    if (!factor) return;
    const form = formFields(body);
    const credential = form['credential'] ?? '';
    const visitor = await this.visitors.checked(req, reply, form, 'mfa-passkey-remove', credential);
    if (!visitor) return;
    if (!(await this.proven(factor, visitor, form, req, reply))) return;
    if (!(await factor.passkeys.remove(visitor.user.id, credential))) {
      await this.send(factor, reply, visitor, { error: 'No such passkey.' }, 404);
      return;
    }
    await this.noted(req, visitor.user, 'account.mfa.passkey.removed');
    await this.send(factor, reply, visitor, { notice: 'Passkey removed.' });
  }

  /** A current code (or recovery code) or the password; otherwise the page again with why. */
  private async proven(
    factor: SecondFactor,
    visitor: Visitor,
    form: Record<string, string | undefined>,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<boolean> {
    const code = form['code']?.trim() ?? '';
    const result =
      code !== ''
        ? await factor.attempt(visitor.user, code, req.ip)
        : await this.signIn.attempt(visitor.user.localpart, form['password'] ?? '', req.ip);
    if (result.ok && ('used' in result || result.user.id === visitor.user.id)) return true;
    if (!result.ok && result.reason === 'throttled') {
      void reply.header('Retry-After', retryAfterSeconds(result.retryAfterMs));
      await this.send(
        factor,
        reply,
        visitor,
        { error: `Too many attempts. Try again in ${waitText(result.retryAfterMs)}.` },
        429,
      );
      return false;
    }
    const error = code !== '' ? 'That code is not right.' : 'Type a code from your app or your password.';
    await this.send(factor, reply, visitor, { error }, 401);
    return false;
  }

  private async send(
    factor: SecondFactor,
    reply: FastifyReply,
    visitor: Visitor,
    extra: Partial<MfaView>,
    status = 200,
  ): Promise<void> {
    const mfa = factor.mfa;
    const { user } = visitor;
    const account = `@${user.localpart}:${this.config.homeserver}`;
    const view: MfaView = {
      csrf: this.visitors.csrfFor(user),
      enrolment: await mfa.pendingEnrolment(user.id, account),
      unusedRecoveryCodes: await mfa.unusedRecoveryCodes(user.id),
      passkeys: await factor.passkeys.list(user.id),
      passkeyOptions: await factor.passkeys.registrationOptions(user, account),
      ...extra,
    };
    sendHtml(reply, mfaPage(view), status);
  }

  /** The second factor when the server offers it; otherwise answers 404 and gives null. */
  private offered(reply: FastifyReply): SecondFactor | null {
    if (this.secondFactor === null)
      sendHtml(
        reply,
        messagePage('Not available', 'This server does not offer two-factor authentication.'),
        404,
      );
    return this.secondFactor;
  }

  private noted(req: FastifyRequest, user: User, type: AuditEventType): Promise<void> {
    return this.audit.note({
      type,
      outcome: 'succeeded',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      origin: originOf(req),
    });
  }
}
