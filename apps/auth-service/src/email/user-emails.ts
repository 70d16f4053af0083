import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type {
  AuthStore,
  EmailVerification,
  EmailVerificationProblem,
  User,
  UserEmail,
} from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { takeEmailSend, type EmailLimits } from '../rate-limits/auth-limits';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { parseEmailAddress } from './email-address';
import { newEmailCode, newLinkSecret, secretHash } from './email-secrets';
import { verificationMail } from './email-templates';
import type { Mailer } from './mailer';

/** How long a code and its link work, and how many wrong codes a verification takes. */
export const VERIFICATION_MINUTES = 10;
export const MAX_CODE_ATTEMPTS = 5;

export type EmailStart =
  | { ok: true; verification: EmailVerification }
  | { ok: false; problem: 'invalid' | 'in_use' | 'already_yours' | 'send_failed' }
  | { ok: false; problem: 'limited'; retryAfterMs: number };

export type EmailAdd = { ok: true; email: UserEmail } | { ok: false; problem: 'invalid' | 'in_use' };

export type EmailCheck = { ok: true; email: UserEmail } | { ok: false; problem: EmailVerificationProblem };

/**
 * A user's email addresses: adding one sends a mail with a 6-digit code and a link (either proves the
 * mailbox; both are stored as hashes, work for 10 minutes, once; five wrong codes end the attempt),
 * and every change of the confirmed list is mirrored into Synapse as its email threepids
 * (`provision_user` with `set_emails`).
 */
export class UserEmails {
  private readonly log = new Logger('UserEmails');

  constructor(
    private readonly store: AuthStore,
    private readonly mailer: Mailer,
    private readonly limits: EmailLimits,
    private readonly synapse: SynapseMasClient,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {}

  list(user: User): Promise<UserEmail[]> {
    return this.store.emails.listOf(user.id);
  }

  /** Sends the code and link for `input` to the address, within the send limits. */
  async start(user: User, input: unknown, ip: string): Promise<EmailStart> {
    const address = parseEmailAddress(input);
    if (address === null) return { ok: false, problem: 'invalid' };
    const owner = await this.store.emails.confirmedOwner(address);
    if (owner === user.id) return { ok: false, problem: 'already_yours' };
    if (owner !== null) return { ok: false, problem: 'in_use' };
    const wait = await takeEmailSend(this.limits, address, ip);
    if (wait !== null) return { ok: false, problem: 'limited', retryAfterMs: wait };
    const code = newEmailCode();
    const link = newLinkSecret();
    const id = randomUUID();
    const verification = await this.store.emails.startVerification({
      id,
      userId: user.id,
      email: address,
      codeHash: secretHash(code, id),
      linkHash: secretHash(link),
      expiresAt: new Date(this.clock() + VERIFICATION_MINUTES * 60_000),
    });
    try {
      await this.mailer.send(
        verificationMail({
          to: address,
          userId: this.mxid(user),
          code,
          link: `${this.config.baseUrl}/account/emails/confirm?token=${link}`,
          minutes: VERIFICATION_MINUTES,
        }),
      );
    } catch (err) {
      this.log.warn(`verification mail not sent: ${err instanceof Error ? err.message : String(err)}`);
      return { ok: false, problem: 'send_failed' };
    }
    return { ok: true, verification };
  }

  pending(user: User, id: string): Promise<EmailVerification | null> {
    return this.store.emails.findVerification(user.id, id);
  }

  /** The typed code; on success the address is the user's and Synapse has it (else SynapseCallError). */
  async verifyCode(user: User, id: string, input: unknown): Promise<EmailCheck> {
    const code = typeof input === 'string' ? input.replace(/\s+/g, '') : '';
    const outcome = await this.store.emails.completeWithCode(
      user.id,
      id,
      secretHash(code, id),
      new Date(this.clock()),
      MAX_CODE_ATTEMPTS,
    );
    if (outcome.ok) await this.mirror(user);
    return outcome;
  }

  /** The address a link would verify, while it can. */
  pendingLink(token: unknown): Promise<EmailVerification | null> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9]{32}$/.test(token)) return Promise.resolve(null);
    return this.store.emails.pendingByLink(secretHash(token), new Date(this.clock()));
  }

  /** The link in the mail, confirmed on its page (no sign-in needed: the link is the proof). */
  async verifyLink(token: unknown): Promise<EmailCheck> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9]{32}$/.test(token))
      return { ok: false, problem: 'unknown' };
    const outcome = await this.store.emails.completeWithLink(secretHash(token), new Date(this.clock()));
    if (outcome.ok) {
      const user = await this.store.users.findById(outcome.email.userId);
      if (user) await this.mirror(user);
    }
    return outcome;
  }

  /**
   * Adds a confirmed address without a mail (the admin API: the operator vouches for it), then Synapse's
   * copy; refused when any account, this one included, already has it confirmed.
   */
  async addConfirmed(user: User, input: unknown): Promise<EmailAdd> {
    const address = parseEmailAddress(input);
    if (address === null) return { ok: false, problem: 'invalid' };
    if ((await this.store.emails.confirmedOwner(address)) !== null) return { ok: false, problem: 'in_use' };
    const email = await this.store.emails.addConfirmed(user.id, address, new Date(this.clock()));
    if (email === null) return { ok: false, problem: 'in_use' };
    await this.mirror(user);
    return { ok: true, email };
  }

  /** Removes one of the user's addresses (false when not theirs), then Synapse's copy. */
  async remove(user: User, id: string): Promise<boolean> {
    if (!(await this.store.emails.remove(user.id, id))) return false;
    await this.mirror(user);
    return true;
  }

  /** Makes Synapse's email threepids of the user the confirmed addresses here. */
  async mirror(user: User): Promise<void> {
    const confirmed = (await this.store.emails.listOf(user.id)).filter((e) => e.confirmedAt !== null);
    await this.synapse.provisionUser({ localpart: user.localpart, emails: confirmed.map((e) => e.email) });
  }

  private mxid(user: User): string {
    return `@${user.localpart}:${this.config.homeserver}`;
  }
}
