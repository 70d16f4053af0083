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
}
