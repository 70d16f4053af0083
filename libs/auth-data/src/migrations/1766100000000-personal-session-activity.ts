import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each personal session was last used. Personal tokens are never refreshed, so the homeserver's
 * introspection of the token is the only sign of use. Synapse's introspection request does not name the
 * client's address, so there is no `last_active_ip` to keep (the admin API answers null, as MAS can).
 */
export class PersonalSessionActivity1766100000000 implements MigrationInterface {
  name = 'PersonalSessionActivity1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE personal_sessions ADD COLUMN IF NOT EXISTS last_active_at timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE personal_sessions DROP COLUMN IF EXISTS last_active_at');
  }
}
