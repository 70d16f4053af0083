import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Registration tokens (MAS's `registration_token_required`). */
export class RegistrationTokens1765200000000 implements MigrationInterface {
  name = 'RegistrationTokens1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE registration_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token text NOT NULL UNIQUE,
      usage_limit integer CHECK (usage_limit IS NULL OR usage_limit > 0),
      times_used integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE registration_tokens');
  }
}
