import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TOTP second factors and their recovery codes. The TOTP secret is stored encrypted (the service holds
 * the key, the database never does); recovery codes only as keyed hashes. A factor without
 * `confirmed_at` is an enrolment in progress and does not count as MFA.
 */
export class Mfa1765800000000 implements MigrationInterface {
  name = 'Mfa1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE user_totp (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      secret_ciphertext text NOT NULL,
      created_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      last_used_step bigint
    )`);
    await q.query(`CREATE TABLE user_recovery_codes (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE user_recovery_codes');
    await q.query('DROP TABLE user_totp');
  }
}
