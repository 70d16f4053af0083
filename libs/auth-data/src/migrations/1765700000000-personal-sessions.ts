import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal sessions and their access tokens (`mpt_`, MAS's personal access tokens). A session has at
 * most one live token (a regeneration replaces it); tokens are stored only as SHA-256 hashes.
 */
export class PersonalSessions1765700000000 implements MigrationInterface {
  name = 'PersonalSessions1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE personal_sessions (
      id text PRIMARY KEY,
      owner_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      owner_client_id text,
      actor_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      human_name text NOT NULL,
      scope text NOT NULL,
      device_id text,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz,
      CHECK (owner_user_id IS NOT NULL OR owner_client_id IS NOT NULL)
    )`);
    await q.query('CREATE INDEX personal_sessions_actor ON personal_sessions (actor_user_id, id)');
    await q.query(`CREATE TABLE personal_access_tokens (
      token_hash text PRIMARY KEY,
      session_id text NOT NULL UNIQUE REFERENCES personal_sessions(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE personal_access_tokens');
    await q.query('DROP TABLE personal_sessions');
  }
}
