import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A legacy (`/_matrix/client/*\/login`) session: one user, one Matrix device, its tokens in
 * `compat_access_tokens` / `compat_refresh_tokens`. Finishing it is what deletes the device in Synapse.
 */
@Entity({ name: 'compat_sessions' })
@Index(['userId', 'deviceId'])
export class CompatSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

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

/** A compat access token, by the SHA-256 of its value (the value itself is never stored). */
@Entity({ name: 'compat_access_tokens' })
export class CompatAccessTokenEntity {
  @Column({ name: 'token_hash', type: 'text', primary: true })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null: never expires (a login without `refresh_token: true`). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}

/** A compat refresh token, by its SHA-256; single use. */
@Entity({ name: 'compat_refresh_tokens' })
export class CompatRefreshTokenEntity {
  @Column({ name: 'token_hash', type: 'text', primary: true })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  /** The access token issued with it, withdrawn when this one is used. */
  @Column({ name: 'access_token_hash', type: 'text' })
  accessTokenHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;
}

/**
 * An `m.login.sso` redirect in progress: started by the client's browser, completed when the user signs
 * in on our page (a login token, stored as its SHA-256, is handed to the client), exchanged once at
 * `POST /login` with `m.login.token`.
 */
@Entity({ name: 'compat_sso_logins' })
export class CompatSsoLoginEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'redirect_url', type: 'text' })
  redirectUrl!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'login_token_hash', type: 'text', nullable: true })
  loginTokenHash!: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'fulfilled_at', type: 'timestamptz', nullable: true })
  fulfilledAt!: Date | null;

  @Column({ name: 'exchanged_at', type: 'timestamptz', nullable: true })
  exchangedAt!: Date | null;
}
