import type { DataSource, EntityManager, Repository } from 'typeorm';
import { fetchPage, type Page, type PageRequest } from './page';
import {
  EmailVerificationEntity,
  RecoveryTicketEntity,
  UserEmailEntity,
} from '../entities/user-email.entity';

export interface UserEmail {
  id: string;
  userId: string;
  email: string;
  createdAt: Date;
  /** Null while unverified (never for addresses added through the account page: those are verified first). */
  confirmedAt: Date | null;
}

/** The admin API's filters on addresses (MAS's `filter[user]`, `filter[email]`). */
export interface UserEmailFilter {
  userId?: string;
  /** The whole address, compared case-insensitively. */
  email?: string;
}

export interface EmailVerification {
  id: string;
  userId: string;
  email: string;
  failedAttempts: number;
  createdAt: Date;
  expiresAt: Date;
  completedAt: Date | null;
}

export interface NewEmailVerification {
  /** Chosen by the caller (a UUID), so the code's hash can be bound to it. */
  id: string;
  userId: string;
  email: string;
  /** SHA-256 of the code typed on the page and of the link's secret; the secrets themselves are never stored. */
  codeHash: string;
  linkHash: string;
  expiresAt: Date;
}

/** Why a verification did not confirm its address. */
export type EmailVerificationProblem = 'unknown' | 'expired' | 'wrong_code' | 'too_many_attempts' | 'in_use';

export type EmailVerificationOutcome =
  { ok: true; email: UserEmail } | { ok: false; problem: EmailVerificationProblem };

export interface NewRecoveryTicket {
  userId: string;
  email: string;
  ticketHash: string;
  expiresAt: Date;
}

export interface RecoveryTicket {
  id: string;
  userId: string;
  email: string;
  expiresAt: Date;
}

/**
 * Users' email addresses, the pending proofs that someone reads one, and password recovery tickets.
 * Addresses compare case-insensitively (as MAS's lower() index does); a confirmed address belongs to
 * one account only.
 */
export class UserEmailRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get emails(): Repository<UserEmailEntity> {
    return this.dataSource.getRepository(UserEmailEntity);
  }

  private get verifications(): Repository<EmailVerificationEntity> {
    return this.dataSource.getRepository(EmailVerificationEntity);
  }

  private get tickets(): Repository<RecoveryTicketEntity> {
    return this.dataSource.getRepository(RecoveryTicketEntity);
  }

  /** A user's addresses, oldest first. */
  listOf(userId: string): Promise<UserEmail[]> {
    return this.emails.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(id: string): Promise<UserEmail | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.emails.findOneBy({ id });
  }

  /** One page of every user's addresses (the admin API), ordered by id. */
  listPage(filter: UserEmailFilter, page: PageRequest): Promise<Page<UserEmail>> {
    return fetchPage(this.filtered(filter), 'e.id', page);
  }

  count(filter: UserEmailFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  private filtered(filter: UserEmailFilter) {
    const qb = this.emails.createQueryBuilder('e');
    if (filter.userId !== undefined) qb.andWhere('e.user_id = :userId', { userId: filter.userId });
    if (filter.email !== undefined) qb.andWhere('lower(e.email) = lower(:email)', { email: filter.email });
    return qb;
  }

  /** The account a confirmed address belongs to, if any. */
  async confirmedOwner(email: string): Promise<string | null> {
    const row = await this.emails
      .createQueryBuilder('e')
      .where('lower(e.email) = lower(:email) AND e.confirmed_at IS NOT NULL', { email })
      .orderBy('e.confirmed_at', 'ASC')
      .getOne();
    return row?.userId ?? null;
  }

  /** Removes one of the user's addresses; false when the user has no address of that id. */
  async remove(userId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const result = await this.emails.delete({ id, userId });
    return (result.affected ?? 0) > 0;
  }

  async startVerification(v: NewEmailVerification): Promise<EmailVerification> {
    const saved = await this.verifications.save(this.verifications.create({ ...v, failedAttempts: 0 }));
    return strip(saved);
  }

  /** The user's verification of that id, whatever its state; null when it is not theirs. */
  async findVerification(userId: string, id: string): Promise<EmailVerification | null> {
    if (!UUID.test(id)) return null;
    const row = await this.verifications.findOneBy({ id, userId });
    return row === null ? null : strip(row);
  }

  /**
   * Checks a typed code against the user's verification `id`: a wrong code counts against
   * `maxAttempts`, after which even the right one is refused; the right one confirms the address.
   */
  completeWithCode(
    userId: string,
    id: string,
    codeHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<EmailVerificationOutcome> {
    if (!UUID.test(id)) return Promise.resolve({ ok: false, problem: 'unknown' });
    return this.dataSource.transaction(async (m) => {
      const v = await m
        .getRepository(EmailVerificationEntity)
        .createQueryBuilder('v')
        .setLock('pessimistic_write')
        .where('v.id = :id AND v.user_id = :userId', { id, userId })
        .getOne();
      if (v === null || v.completedAt !== null) return { ok: false, problem: 'unknown' };
      if (v.expiresAt.getTime() <= now.getTime()) return { ok: false, problem: 'expired' };
      if (v.failedAttempts >= maxAttempts) return { ok: false, problem: 'too_many_attempts' };
      if (v.codeHash !== codeHash) {
        await m.getRepository(EmailVerificationEntity).increment({ id }, 'failedAttempts', 1);
        return {
          ok: false,
          problem: v.failedAttempts + 1 >= maxAttempts ? 'too_many_attempts' : 'wrong_code',
        };
      }
      return confirm(m, v, now);
    });
  }

  /** The link in the mail: confirms its verification's address, once, before it expires. */
  completeWithLink(linkHash: string, now: Date): Promise<EmailVerificationOutcome> {
    return this.dataSource.transaction(async (m) => {
      const v = await m
        .getRepository(EmailVerificationEntity)
        .createQueryBuilder('v')
        .setLock('pessimistic_write')
        .where('v.link_hash = :linkHash', { linkHash })
        .getOne();
      if (v === null || v.completedAt !== null) return { ok: false, problem: 'unknown' };
      if (v.expiresAt.getTime() <= now.getTime()) return { ok: false, problem: 'expired' };
      return confirm(m, v, now);
    });
  }

  /** The verification a link stands for while it can still be used (to show its address before confirming). */
  async pendingByLink(linkHash: string, now: Date): Promise<EmailVerification | null> {
    const v = await this.verifications.findOneBy({ linkHash });
    if (v === null || v.completedAt !== null || v.expiresAt.getTime() <= now.getTime()) return null;
    return strip(v);
  }

  /** Adds a confirmed address (admin API, CLI); null when another account has it confirmed. */
  addConfirmed(userId: string, email: string, now: Date): Promise<UserEmail | null> {
    return this.dataSource.transaction(async (m) => {
      const outcome = await confirm(m, { userId, email, id: null }, now);
      return outcome.ok ? outcome.email : null;
    });
  }

  async createRecoveryTicket(t: NewRecoveryTicket): Promise<void> {
    await this.tickets.insert(t);
  }

  /** The ticket while it can be used: not used, not expired. */
  async findRecoveryTicket(ticketHash: string, now: Date): Promise<RecoveryTicket | null> {
    const t = await this.tickets.findOneBy({ ticketHash });
    if (t === null || t.usedAt !== null || t.expiresAt.getTime() <= now.getTime()) return null;
    return { id: t.id, userId: t.userId, email: t.email, expiresAt: t.expiresAt };
  }

  /** Uses the ticket, atomically (two tabs racing: one wins); the ticket when it was usable. */
  async useRecoveryTicket(ticketHash: string, now: Date): Promise<RecoveryTicket | null> {
    const result = await this.tickets
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('ticket_hash = :ticketHash AND used_at IS NULL AND expires_at > :now', { ticketHash, now })
      .returning(['id', 'user_id', 'email', 'expires_at'])
      .execute();
    const row = (result.raw as { id: string; user_id: string; email: string; expires_at: Date }[])[0];
    return row === undefined
      ? null
      : { id: row.id, userId: row.user_id, email: row.email, expiresAt: new Date(row.expires_at) };
  }
}

/** Confirms `email` for the user (inside the caller's transaction), refusing an address another account holds. */
async function confirm(
  m: EntityManager,
  v: { id: string | null; userId: string; email: string },
  now: Date,
): Promise<EmailVerificationOutcome> {
  // Serialises confirmations of one address, so two accounts cannot both win it.
  await m.query('SELECT pg_advisory_xact_lock(hashtext(lower($1)))', [v.email]);
  const taken = await m
    .getRepository(UserEmailEntity)
    .createQueryBuilder('e')
    .where('lower(e.email) = lower(:email) AND e.confirmed_at IS NOT NULL AND e.user_id <> :userId', v)
    .getCount();
  if (v.id !== null)
    await m.getRepository(EmailVerificationEntity).update({ id: v.id }, { completedAt: now });
  if (taken > 0) return { ok: false, problem: 'in_use' };
  type Row = { id: string; user_id: string; email: string; created_at: Date; confirmed_at: Date | null };
  const rows = await m.query<Row[]>(
    `INSERT INTO user_emails (user_id, email, confirmed_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, email) DO UPDATE SET confirmed_at = COALESCE(user_emails.confirmed_at, EXCLUDED.confirmed_at)
     RETURNING id, user_id, email, created_at, confirmed_at`,
    [v.userId, v.email, now],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
  return {
    ok: true,
    email: {
      id: row.id,
      userId: row.user_id,
      email: row.email,
      createdAt: row.created_at,
      confirmedAt: row.confirmed_at,
    },
  };
}

function strip(v: EmailVerificationEntity): EmailVerification {
  return {
    id: v.id,
    userId: v.userId,
    email: v.email,
    failedAttempts: v.failedAttempts,
    createdAt: v.createdAt,
    expiresAt: v.expiresAt,
    completedAt: v.completedAt,
  };
}

// Ids come from URLs; a malformed one must be "not found", not a database error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
