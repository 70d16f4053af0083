import type { DataSource, Repository } from 'typeorm';
import { RegistrationTokenEntity } from '../entities/registration-token.entity';

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
}

export function problemOf(token: RegistrationToken, now: Date): RegistrationTokenProblem | null {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (token.usageLimit !== null && token.timesUsed >= token.usageLimit) return 'exhausted';
  return null;
}
