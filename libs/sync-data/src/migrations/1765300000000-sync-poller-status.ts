import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an operator needs to see of a poller without reading the logs: when it last stored a response
 * (its lag), and its consecutive failures with the last one's reason.
 */
export class SyncPollerStatus1765300000000 implements MigrationInterface {
  name = 'SyncPollerStatus1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_devices
      ADD COLUMN last_poll_at timestamptz,
      ADD COLUMN poll_errors int NOT NULL DEFAULT 0,
      ADD COLUMN last_error text,
      ADD COLUMN last_error_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_devices
      DROP COLUMN last_poll_at, DROP COLUMN poll_errors, DROP COLUMN last_error, DROP COLUMN last_error_at`);
  }
}
