import type { DataSource, EntityManager } from 'typeorm';
import { UserRecoveryCodeEntity, UserTotpEntity } from '../entities/mfa.entity';

export interface UserTotp {
  userId: string;
  /** The service's envelope of the secret; the repository never sees the secret. */
  secretCiphertext: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedStep: number | null;
}

/**
 * Users' second factors. Every change that must not race (accepting a step, using a recovery code,
 * confirming an enrolment) is one conditional statement, so two replicas cannot both accept the same
 * code. (TypeORM answers an UPDATE with [rows, count]; each is wrapped in a CTE to read its rows
 * alone.) Times come from the caller.
 */
export class MfaRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findTotp(userId: string): Promise<UserTotp | null> {
    const row = await this.dataSource.getRepository(UserTotpEntity).findOneBy({ userId });
    return row === null ? null : toTotp(row);
  }

  /** Whether the user has a confirmed factor (an enrolment in progress does not count). */
  async hasTotp(userId: string): Promise<boolean> {
    return (await this.findTotp(userId))?.confirmedAt != null;
  }

  /**
   * Starts (or restarts) an enrolment with a new secret. Refused (false) while a confirmed factor
   * exists: it has to be disabled first, with a code or the password.
   */
  async startTotp(userId: string, secretCiphertext: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO user_totp (user_id, secret_ciphertext, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext,
         created_at = EXCLUDED.created_at, last_used_step = NULL
       WHERE user_totp.confirmed_at IS NULL
       RETURNING user_id`,
      [userId, secretCiphertext, now],
    );
    return rows.length === 1;
  }

  /**
   * Confirms the pending enrolment whose first code was for `step`, and stores its recovery codes
   * (replacing any earlier ones). False when there is no pending enrolment with that secret (a
   * second tab restarted it, or it is already confirmed).
   */
  async confirmTotp(
    userId: string,
    secretCiphertext: string,
    step: number,
    recoveryCodeHashes: string[],
    now: Date,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const rows: unknown[] = await m.query(
        `WITH u AS (UPDATE user_totp SET confirmed_at = $3, last_used_step = $4
         WHERE user_id = $1 AND secret_ciphertext = $2 AND confirmed_at IS NULL RETURNING user_id)
         SELECT user_id FROM u`,
        [userId, secretCiphertext, now, step],
      );
      if (rows.length !== 1) return false;
      await replaceCodes(m, userId, recoveryCodeHashes, now);
      return true;
    });
  }

  /** Accepts a code's time step once: false when that step or a later one was already used. */
  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH u AS (UPDATE user_totp SET last_used_step = $2
       WHERE user_id = $1 AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $2)
       RETURNING user_id) SELECT user_id FROM u`,
      [userId, step],
    );
    return rows.length === 1;
  }

  /** Marks an unused recovery code used; false when the user has no such unused code. */
  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH u AS (UPDATE user_recovery_codes SET used_at = $3
       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id)
       SELECT user_id FROM u`,
      [userId, codeHash, now],
    );
    return rows.length === 1;
  }

  /** Replaces the recovery codes of a user with a factor (a confirmed TOTP or a passkey); false without one. */
  async replaceRecoveryCodes(userId: string, codeHashes: string[], now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      // The user's row is the lock: it serializes this with removing the last factor.
      await m.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
      if (!(await hasFactor(m, userId))) return false;
      await replaceCodes(m, userId, codeHashes, now);
      return true;
    });
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    const rows = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Whether the user has a confirmed TOTP factor or a passkey: what recovery codes stand in for. */
  async hasAnyFactor(userId: string): Promise<boolean> {
    return hasFactor(this.dataSource.manager, userId);
  }

  /** Removes the factor, and its recovery codes unless a passkey remains; false when there was none. */
  async removeTotp(userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const result = await m.delete(UserTotpEntity, { userId });
      await m.query(
        'DELETE FROM user_recovery_codes WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM user_passkeys WHERE user_id = $1)',
        [userId],
      );
      return (result.affected ?? 0) > 0;
    });
  }
}

async function replaceCodes(m: EntityManager, userId: string, hashes: string[], now: Date): Promise<void> {
  await m.delete(UserRecoveryCodeEntity, { userId });
  if (hashes.length > 0)
    await m.insert(
      UserRecoveryCodeEntity,
      hashes.map((codeHash) => ({ userId, codeHash, createdAt: now, usedAt: null })),
    );
}

async function hasFactor(m: EntityManager, userId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL
     UNION ALL SELECT 1 FROM user_passkeys WHERE user_id = $1 LIMIT 1`,
    [userId],
  );
  return rows.length > 0;
}

function toTotp(row: UserTotpEntity): UserTotp {
  return {
    userId: row.userId,
    secretCiphertext: row.secretCiphertext,
    createdAt: row.createdAt,
    confirmedAt: row.confirmedAt,
    lastUsedStep: row.lastUsedStep === null ? null : Number(row.lastUsedStep),
  };
}
