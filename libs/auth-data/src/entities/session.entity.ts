import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An OAuth session as Synapse sees it: one grant, one user, one Matrix device. Ending it (revocation,
 * refresh-token replay) is what deletes the device in Synapse.
 */
@Entity({ name: 'sessions' })
@Index(['userId'])
export class SessionEntity {
  @PrimaryColumn({ name: 'grant_id', type: 'text' })
  grantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
  /** When the session last got tokens (login, code exchange, refresh); null before the first. */
  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt!: Date | null;

  /** The client address of that request. */
  @Column({ name: 'last_active_ip', type: 'text', nullable: true })
  lastActiveIp!: string | null;
}
