import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email verification codes and links, and password recovery tickets; secrets only as SHA-256 hashes.
 * `user_emails` exists already (Synapse import); a confirmed address belongs to one account only.
 */
export class EmailVerification1765520000000 implements MigrationInterface {
  name = 'EmailVerification1765520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE email_verifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      email text NOT NULL,
      code_hash text NOT NULL,
      link_hash text NOT NULL UNIQUE,
      failed_attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      completed_at timestamptz
    )`);
    await q.query('CREATE INDEX email_verifications_user ON email_verifications (user_id)');
    await q.query(`CREATE TABLE recovery_tickets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      email text NOT NULL,
      ticket_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await q.query('CREATE INDEX user_emails_user ON user_emails (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS user_emails_user');
    await q.query('DROP TABLE recovery_tickets');
    await q.query('DROP TABLE email_verifications');
  }
}
