import type { DataSource } from 'typeorm';
import { UserRecoveryCodeEntity } from '../entities/mfa.entity';
import { UserPasskeyEntity } from '../entities/passkey.entity';

export interface UserPasskey {
  credentialId: string;
  userId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskey = Omit<UserPasskey, 'lastUsedAt'>;

/**
 * Users' passkeys. Accepting an assertion moves the counter forward in one conditional statement, so
 * two replicas cannot both accept a replayed one from an authenticator that counts.
 */
export class PasskeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(userId: string): Promise<UserPasskey[]> {
    const rows = await this.dataSource
      .getRepository(UserPasskeyEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', credentialId: 'ASC' } });
    return rows.map(toPasskey);
  }

  async count(userId: string): Promise<number> {
    return this.dataSource.getRepository(UserPasskeyEntity).countBy({ userId });
  }

  async findByCredentialId(credentialId: string): Promise<UserPasskey | null> {
    const row = await this.dataSource.getRepository(UserPasskeyEntity).findOneBy({ credentialId });
    return row === null ? null : toPasskey(row);
  }

  /** False when the credential is already registered (to this or another user). */
  async add(passkey: NewPasskey): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO user_passkeys (credential_id, user_id, public_key, counter, transports, name, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING RETURNING credential_id`,
      [
        passkey.credentialId,
        passkey.userId,
        Buffer.from(passkey.publicKey),
        passkey.counter,
        passkey.transports,
        passkey.name,
        passkey.createdAt,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Records a use: the new counter must be above the stored one, unless both are 0 (an authenticator
   * that does not count, as synced passkeys do). False when it went backwards (a cloned authenticator
   * or a replay) or the passkey is gone.
   */
  async used(credentialId: string, counter: number, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH u AS (UPDATE user_passkeys SET counter = $2, last_used_at = $3
       WHERE credential_id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0)) RETURNING credential_id)
       SELECT credential_id FROM u`,
      [credentialId, counter, now],
    );
    return rows.length === 1;
  }

  async rename(userId: string, credentialId: string, name: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(UserPasskeyEntity)
      .update({ userId, credentialId }, { name });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Removes one of the user's passkeys; the recovery codes go with the last factor (no passkey left
   * and no confirmed TOTP factor). False when the user had no such passkey.
   */
  async remove(userId: string, credentialId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const result = await m.delete(UserPasskeyEntity, { userId, credentialId });
      if ((result.affected ?? 0) === 0) return false;
      await m.query(
        `DELETE FROM user_recovery_codes WHERE user_id = $1
         AND NOT EXISTS (SELECT 1 FROM user_passkeys WHERE user_id = $1)
         AND NOT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL)`,
        [userId],
      );
      return true;
    });
  }

  /** Every second factor of a user (a lost device): TOTP, passkeys, recovery codes; what was removed. */
  async removeAllFactors(
    userId: string,
  ): Promise<{ totp: boolean; passkeys: number; recoveryCodes: number }> {
    return this.dataSource.transaction(async (m) => {
      const passkeys = (await m.delete(UserPasskeyEntity, { userId })).affected ?? 0;
      const recoveryCodes = (await m.delete(UserRecoveryCodeEntity, { userId })).affected ?? 0;
      const totpRows: unknown[] = await m.query(
        'WITH d AS (DELETE FROM user_totp WHERE user_id = $1 RETURNING confirmed_at) SELECT 1 FROM d WHERE confirmed_at IS NOT NULL',
        [userId],
      );
      return { totp: totpRows.length === 1, passkeys, recoveryCodes };
    });
  }
}

function toPasskey(row: UserPasskeyEntity): UserPasskey {
  return {
    credentialId: row.credentialId,
    userId: row.userId,
    publicKey: new Uint8Array(row.publicKey),
    counter: Number(row.counter),
    transports: row.transports,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}
