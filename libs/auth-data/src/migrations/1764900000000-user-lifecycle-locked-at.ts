import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User lifecycle: `locked_at` (an operator locked the account: no sign-in, tokens inactive at
 * introspection, Synapse told through provision_user's `locked`). The admin API lists users by id, so
 * the primary key already serves its cursor pagination.
 */
export class UserLifecycleLockedAt1764900000000 implements MigrationInterface {
  name = 'UserLifecycleLockedAt1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS locked_at timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN locked_at');
  }
}
