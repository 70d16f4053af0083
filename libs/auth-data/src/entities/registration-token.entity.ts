import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A token an operator hands out so someone may register while registration requires one (MAS's
 * `user_registration_tokens`): valid while not revoked, not expired and used fewer than `usageLimit`
 * times (no limit when null).
 */
@Entity({ name: 'registration_tokens' })
export class RegistrationTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The token itself; short-lived secrets an operator reads out, so kept as typed (unique). */
  @Column({ type: 'text', unique: true })
  token!: string;

  @Column({ name: 'usage_limit', type: 'integer', nullable: true })
  usageLimit!: number | null;

  @Column({ name: 'times_used', type: 'integer', default: 0 })
  timesUsed!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
