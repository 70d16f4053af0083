import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A personal session (MAS's `personal_sessions`): a long-lived credential a user (or an admin, for a
 * user) made by hand, acting as `actorUserId` with a fixed scope. Its token lives in
 * `personal_access_tokens`; revoking the session drops the token and, when it has one, its device.
 */
@Entity({ name: 'personal_sessions' })
@Index(['actorUserId', 'id'])
export class PersonalSessionEntity {
  /** A ULID, so ordering by id is ordering by creation (the admin API's cursors). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** The user who made it (self-service, or an admin user through the admin API). */
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId!: string | null;

  /** The admin client that made it through the admin API (client_credentials). */
  @Column({ name: 'owner_client_id', type: 'text', nullable: true })
  ownerClientId!: string | null;

  /** Who the token acts as. */
  @Column({ name: 'actor_user_id', type: 'uuid' })
  actorUserId!: string;

  @Column({ name: 'human_name', type: 'text' })
  humanName!: string;

  /** Space-separated, sorted scope tokens. */
  @Column({ type: 'text' })
  scope!: string;

  /** The Matrix device the token uses (from a device scope), null without the Matrix API. */
  @Column({ name: 'device_id', type: 'text', nullable: true })
  deviceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The last time the homeserver asked about its token (introspection), at most once a minute. */
  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt!: Date | null;
}

/** The live token of a personal session, by the SHA-256 of its value (the value is never stored). */
@Entity({ name: 'personal_access_tokens' })
export class PersonalAccessTokenEntity {
  @Column({ name: 'token_hash', type: 'text', primary: true })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'text', unique: true })
  sessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null: never expires (only an admin may issue such a token). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
