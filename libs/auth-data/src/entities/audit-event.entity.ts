import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One security event of the audit log (sign-ins, revocations, account changes, admin and operator
 * actions). `details` is a small JSON object that never holds a secret; the auth service decides what
 * goes in it (apps/auth-service/src/audit/).
 */
@Entity({ name: 'audit_events' })
@Index(['createdAt'])
@Index(['actor', 'id'])
@Index(['subject', 'id'])
@Index(['type', 'id'])
export class AuditEventEntity {
  /** A ULID: ordering by id is ordering by time. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'text' })
  type!: string;

  /** attempted (an admin or operator change about to be made), succeeded or failed. */
  @Column({ type: 'text' })
  outcome!: string;

  /** Who acted: a user id, an admin client id, 'cli', 'system' or 'anonymous'. */
  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: string;

  /** What it was done to: a user id, a session id, a registration token id…; null when nothing. */
  @Column({ type: 'text', nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  details!: Record<string, string | number | boolean | null>;
}
