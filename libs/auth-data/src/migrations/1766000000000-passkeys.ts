import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (WebAuthn credentials): public data only — the credential id, its public key and signature
 * counter. A passkey is a second factor and, being user-verifying and discoverable, a way to sign in
 * without a password. The credential id is unique across users: an authenticator answers for one.
 */
export class Passkeys1766000000000 implements MigrationInterface {
  name = 'Passkeys1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE user_passkeys (
      credential_id text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      public_key bytea NOT NULL,
      counter bigint NOT NULL,
      transports text[] NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz
    )`);
    await q.query('CREATE INDEX user_passkeys_user ON user_passkeys (user_id, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE user_passkeys');
  }
}
