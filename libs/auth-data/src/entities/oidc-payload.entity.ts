import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Everything oidc-provider persists (sessions, interactions, grants, codes, tokens, clients), one row per
 * model instance. Rows for tokens and codes are keyed by the SHA-256 of their value, never the value.
 */
@Entity({ name: 'oidc_payloads' })
@Index(['grantId'])
@Index(['userCode'])
@Index(['uid'])
@Index(['expiresAt'])
export class OidcPayloadEntity {
  @PrimaryColumn({ type: 'text' })
  model!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId!: string | null;

  @Column({ name: 'user_code', type: 'text', nullable: true })
  userCode!: string | null;

  @Column({ type: 'text', nullable: true })
  uid!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;
}
