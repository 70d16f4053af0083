import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log: one row per security event, pruned by age (AUTH_AUDIT_RETENTION_DAYS). */
export class AuditEvents1765600000000 implements MigrationInterface {
  name = 'AuditEvents1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_events (
      id text PRIMARY KEY,
      created_at timestamptz NOT NULL,
      type text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('attempted', 'succeeded', 'failed')),
      actor text NOT NULL,
      actor_kind text NOT NULL,
      subject text,
      ip text,
      user_agent text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb
    )`);
    await q.query('CREATE INDEX audit_events_created_at ON audit_events (created_at)');
    await q.query('CREATE INDEX audit_events_actor ON audit_events (actor, id)');
    await q.query('CREATE INDEX audit_events_subject ON audit_events (subject, id)');
    await q.query('CREATE INDEX audit_events_type ON audit_events (type, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
  }
}
