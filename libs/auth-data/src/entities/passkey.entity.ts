import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's WebAuthn credential: its id and public key (nothing secret), and the last signature counter. */
@Entity({ name: 'user_passkeys' })
export class UserPasskeyEntity {
  /** The credential id as the browser sends it (base64url). */
  @PrimaryColumn({ name: 'credential_id', type: 'text' })
  credentialId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The COSE public key the authenticator gave at registration. */
  @Column({ name: 'public_key', type: 'bytea' })
  publicKey!: Buffer;

  @Column({ name: 'counter', type: 'bigint' })
  counter!: string;

  @Column({ name: 'transports', type: 'text', array: true })
  transports!: string[];

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
