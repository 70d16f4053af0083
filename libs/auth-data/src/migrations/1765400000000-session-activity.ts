import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When and from where each OAuth and compat session was last active (its last token issued or
 * refreshed, or its login), for the account page's session list.
 */
export class SessionActivity1765400000000 implements MigrationInterface {
  name = 'SessionActivity1765400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['sessions', 'compat_sessions']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS last_active_at timestamptz`);
      await q.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS last_active_ip text`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['sessions', 'compat_sessions']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS last_active_ip`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS last_active_at`);
    }
  }
}
