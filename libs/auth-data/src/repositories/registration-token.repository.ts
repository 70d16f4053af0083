import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { RegistrationTokenEntity } from '../entities/registration-token.entity';
import { fetchPage, type Page, type PageRequest } from './page';

export interface RegistrationToken {
  id: string;
  token: string;
  /** Null: any number of uses. */
  usageLimit: number | null;
  timesUsed: number;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewRegistrationToken {
  token: string;
  usageLimit: number | null;
  expiresAt: Date | null;
}

/** Filters of the admin API's list (MAS's `filter[used|revoked|expired|valid]`), each at `now`. */
export interface RegistrationTokenFilter {
  used?: boolean;
  revoked?: boolean;
  expired?: boolean;
  valid?: boolean;
}

/** Why a token cannot be used right now. */
export type RegistrationTokenProblem = 'unknown' | 'revoked' | 'expired' | 'exhausted';

export type RegistrationTokenUse =
  { ok: true; token: RegistrationToken } | { ok: false; problem: RegistrationTokenProblem };

export class RegistrationTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<RegistrationTokenEntity> {
    return this.dataSource.getRepository(RegistrationTokenEntity);
  }

  /** Null when the token text is taken. */
  async create(token: NewRegistrationToken): Promise<RegistrationToken | null> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .values(token)
      .orIgnore()
      .returning('id')
      .execute();
    const row = (result.raw as { id: string }[])[0];
    return row === undefined ? null : this.repo.findOneBy({ id: row.id });
  }

  findById(id: string): Promise<RegistrationToken | null> {
    // Ids come from URLs; a malformed one must be "not found", not a database error.
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.repo.findOneBy({ id });
  }

  /** A page ordered by id, filtered at `now`. */
  listPage(filter: RegistrationTokenFilter, now: Date, page: PageRequest): Promise<Page<RegistrationToken>> {
    return fetchPage(this.filtered(filter, now), 't.id', page);
  }

  count(filter: RegistrationTokenFilter, now: Date): Promise<number> {
    return this.filtered(filter, now).getCount();
  }

  /** Changes the limit, expiry or revocation (undefined leaves one alone, null clears it); null when unknown. */
  async update(
    id: string,
    change: { usageLimit?: number | null; expiresAt?: Date | null; revokedAt?: Date | null },
  ): Promise<RegistrationToken | null> {
    if (!UUID.test(id)) return null;
    if (Object.keys(change).length > 0) await this.repo.update({ id }, change);
    return this.findById(id);
  }

  /** Revokes (a date) or un-revokes (null) by id; null when unknown. */
  setRevokedById(id: string, revokedAt: Date | null): Promise<RegistrationToken | null> {
    return this.update(id, { revokedAt });
  }

  findByToken(token: string): Promise<RegistrationToken | null> {
    return this.repo.findOneBy({ token });
  }

  /** Every token, newest first (operators have a handful). */
  list(): Promise<RegistrationToken[]> {
    return this.repo.find({ order: { createdAt: 'DESC' } });
  }

  /** Whether the token could be used at `now`, without using it. */
  async check(token: string, now: Date): Promise<RegistrationTokenUse> {
    const found = await this.findByToken(token);
    if (!found) return { ok: false, problem: 'unknown' };
    const problem = problemOf(found, now);
    return problem === null ? { ok: true, token: found } : { ok: false, problem };
  }

  /**
   * Uses the token once, atomically: two registrations racing for its last use cannot both succeed.
   * Returns why not when it cannot be used.
   */
  async use(token: string, now: Date): Promise<RegistrationTokenUse> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ timesUsed: () => 'times_used + 1', lastUsedAt: now })
      .where('token = :token AND revoked_at IS NULL', { token })
      .andWhere('(expires_at IS NULL OR expires_at > :now)', { now })
      .andWhere('(usage_limit IS NULL OR times_used < usage_limit)')
      .returning('id')
      .execute();
    const row = (result.raw as { id: string }[])[0];
    if (row !== undefined) {
      const used = await this.repo.findOneBy({ id: row.id });
      if (used) return { ok: true, token: used };
    }
    return this.check(token, now);
  }

  /** Gives a use back (the registration it was taken for failed afterwards). */
  async release(id: string): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ timesUsed: () => 'GREATEST(times_used - 1, 0)' })
      .where({ id })
      .execute();
  }

  /** Revokes (a date) or un-revokes (null); the token as stored afterwards, null when unknown. */
  async setRevoked(token: string, revokedAt: Date | null): Promise<RegistrationToken | null> {
    await this.repo.update({ token }, { revokedAt });
    return this.findByToken(token);
  }

  private filtered(filter: RegistrationTokenFilter, now: Date): SelectQueryBuilder<RegistrationTokenEntity> {
    const qb = this.repo.createQueryBuilder('t').where('true');
    const expired = 't.expires_at IS NOT NULL AND t.expires_at <= :now';
    const exhausted = 't.usage_limit IS NOT NULL AND t.times_used >= t.usage_limit';
    const valid = `t.revoked_at IS NULL AND NOT (${expired}) AND NOT (${exhausted})`;
    const add = (condition: string, wanted: boolean | undefined) => {
      if (wanted !== undefined) qb.andWhere(wanted ? `(${condition})` : `NOT (${condition})`, { now });
    };
    add('t.times_used > 0', filter.used);
    add('t.revoked_at IS NOT NULL', filter.revoked);
    add(expired, filter.expired);
    add(valid, filter.valid);
    return qb;
  }
}

// Ids come from URLs; a malformed one must be "not found", not a database error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function problemOf(token: RegistrationToken, now: Date): RegistrationTokenProblem | null {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (token.usageLimit !== null && token.timesUsed >= token.usageLimit) return 'exhausted';
  return null;
}
