import { Logger } from '@nestjs/common';
import type { AuthStore, RecoveryTicket } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { Accounts } from '../accounts/accounts';
import { PASSWORD_PROBLEM_MESSAGES } from '../accounts/password-policy';
import { isUsableUser } from '../accounts/usable-user';
import type { AuthConfig } from '../config';
import { takeEmailSend, type EmailLimits } from '../rate-limits/auth-limits';
import { parseEmailAddress } from './email-address';
import { newLinkSecret, secretHash } from './email-secrets';
import { recoveryMail } from './email-templates';
import type { Mailer } from './mailer';

/** How long a recovery link works (MAS: 10 minutes). */
export const RECOVERY_MINUTES = 10;

export type RecoveryRequest =
  { ok: true } | { ok: false; problem: 'invalid' } | { ok: false; problem: 'limited'; retryAfterMs: number };

export type RecoveryFinish =
  { ok: true } | { ok: false; problem: 'expired' } | { ok: false; problem: 'password'; message: string };

/**
 * Password recovery (`/recover`): a one-time link by mail to the owner of a confirmed address. The
 * answer never tells whether an account has the address: the limits are taken and the page is the same
 * either way, and the mail leaves in the background so the time taken does not tell either. Setting
 * the new password ends no session, as in MAS.
 */
export class PasswordRecovery {
  private readonly log = new Logger('PasswordRecovery');

  constructor(
    private readonly store: AuthStore,
    private readonly accounts: Accounts,
    private readonly mailer: Mailer,
    private readonly limits: EmailLimits,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {}

  async request(input: unknown, ip: string): Promise<RecoveryRequest> {
    const address = parseEmailAddress(input);
    if (address === null) return { ok: false, problem: 'invalid' };
    const wait = await takeEmailSend(this.limits, address, ip);
    if (wait !== null) return { ok: false, problem: 'limited', retryAfterMs: wait };
    void this.sendTicket(address).catch((err: unknown) => {
      this.log.warn(`recovery mail not sent: ${err instanceof Error ? err.message : String(err)}`);
    });
    return { ok: true };
  }

  /** The ticket behind a link while it can be used. */
  ticket(secret: unknown): Promise<RecoveryTicket | null> {
    if (!isSecret(secret)) return Promise.resolve(null);
    return this.store.emails.findRecoveryTicket(secretHash(secret), new Date(this.clock()));
  }

  /** Sets the new password and uses the ticket up; the policy is checked before the ticket is spent. */
  async finish(secret: unknown, password: string): Promise<RecoveryFinish> {
    const ticket = await this.ticket(secret);
    if (ticket === null || !isSecret(secret)) return { ok: false, problem: 'expired' };
    const user = await this.store.users.findById(ticket.userId);
    if (!isUsableUser(user)) return { ok: false, problem: 'expired' };
    const problem = await this.accounts.passwords.check(password, user);
    if (problem !== null)
      return { ok: false, problem: 'password', message: PASSWORD_PROBLEM_MESSAGES[problem] };
    if ((await this.store.emails.useRecoveryTicket(secretHash(secret), new Date(this.clock()))) === null)
      return { ok: false, problem: 'expired' };
    // Checked above, before the ticket was spent.
    const set = await this.accounts.setPassword(user.localpart, password, { skipCheck: true });
    return set.ok ? { ok: true } : { ok: false, problem: 'password', message: set.reason };
  }

  private async sendTicket(address: string): Promise<void> {
    const owner = await this.store.emails.confirmedOwner(address);
    const user = owner === null ? null : await this.store.users.findById(owner);
    if (!isUsableUser(user)) return;
    const secret = newLinkSecret();
    await this.store.emails.createRecoveryTicket({
      userId: user.id,
      email: address,
      ticketHash: secretHash(secret),
      expiresAt: new Date(this.clock() + RECOVERY_MINUTES * 60_000),
    });
    await this.mailer.send(
      recoveryMail({
        to: address,
        userId: `@${user.localpart}:${this.config.homeserver}`,
        link: `${this.config.baseUrl}/recover/finish?ticket=${secret}`,
        minutes: RECOVERY_MINUTES,
      }),
    );
  }
}

const isSecret = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9]{32}$/.test(v);
