import type { DataSource } from 'typeorm';
import { rowsOf } from './sql-util';

export interface StoredTokenRow {
  userId: string;
  deviceId: string;
  verifiedAt: Date;
  invalid: boolean;
}

/** Verified access tokens, keyed by the SHA-256 of the token; the token itself only encrypted. */
export class TokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(tokenHash: Buffer): Promise<StoredTokenRow | null> {
    const [row] = await rowsOf(
      this.dataSource.query(
        'SELECT user_id, device_id, verified_at, invalid_at FROM sync_tokens WHERE token_hash = $1',
        [tokenHash],
      ),
    );
    if (row === undefined) return null;
    return {
      userId: String(row['user_id']),
      deviceId: String(row['device_id']),
      verifiedAt: row['verified_at'] as Date,
      invalid: row['invalid_at'] !== null,
    };
  }

  async save(tokenHash: Buffer, tokenEnc: Buffer, userId: string, deviceId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sync_tokens (token_hash, token_enc, user_id, device_id, verified_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (token_hash) DO UPDATE SET token_enc = excluded.token_enc, verified_at = now(), invalid_at = NULL`,
      [tokenHash, tokenEnc, userId, deviceId],
    );
  }

  async markInvalid(tokenHash: Buffer): Promise<void> {
    await this.dataSource.query(
      'UPDATE sync_tokens SET invalid_at = now() WHERE token_hash = $1 AND invalid_at IS NULL',
      [tokenHash],
    );
  }

  /** Forces the next use of the token to be checked with the homeserver again. */
  async expireVerification(tokenHash: Buffer): Promise<void> {
    await this.dataSource.query(`UPDATE sync_tokens SET verified_at = 'epoch' WHERE token_hash = $1`, [
      tokenHash,
    ]);
  }

  /** The encrypted token a device's poller syncs with. */
  async encryptedToken(tokenHash: Buffer): Promise<Buffer | null> {
    const [row] = await rowsOf(
      this.dataSource.query(
        'SELECT token_enc FROM sync_tokens WHERE token_hash = $1 AND invalid_at IS NULL',
        [tokenHash],
      ),
    );
    return row === undefined ? null : (row['token_enc'] as Buffer);
  }
}
