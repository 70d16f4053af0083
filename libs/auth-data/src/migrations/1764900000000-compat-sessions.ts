import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The legacy login layer's sessions, tokens (hashes only) and SSO logins; users' lock flag. */
export class CompatSessions1764900000000 implements MigrationInterface {
  name = 'CompatSessions1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // A locked user can neither sign in nor use a token, and is unlocked without losing anything
    // (unlike deactivation).
    await q.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS locked_at timestamptz');
    await q.query(`CREATE TABLE compat_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      device_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query('CREATE INDEX compat_sessions_user_device ON compat_sessions (user_id, device_id)');
    await q.query(`CREATE TABLE compat_access_tokens (
      token_hash text PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES compat_sessions(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz
    )`);
    await q.query('CREATE INDEX compat_access_tokens_session ON compat_access_tokens (session_id)');
    await q.query(`CREATE TABLE compat_refresh_tokens (
      token_hash text PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES compat_sessions(id) ON DELETE CASCADE,
      access_token_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      consumed_at timestamptz
    )`);
    await q.query('CREATE INDEX compat_refresh_tokens_session ON compat_refresh_tokens (session_id)');
    await q.query(`CREATE TABLE compat_sso_logins (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      redirect_url text NOT NULL,
      created_at timestamptz NOT NULL,
      login_token_hash text UNIQUE,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      fulfilled_at timestamptz,
      exchanged_at timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compat_sso_logins');
    await q.query('DROP TABLE compat_refresh_tokens');
    await q.query('DROP TABLE compat_access_tokens');
    await q.query('DROP TABLE compat_sessions');
    await q.query('ALTER TABLE users DROP COLUMN IF EXISTS locked_at');
  }
}
