import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764140000000 implements MigrationInterface {
  name = 'InitialSchema1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      localpart text NOT NULL UNIQUE,
      password_hash text,
      admin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      deactivated_at timestamptz
    )`);
    await q.query(`CREATE TABLE oidc_payloads (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (model, id)
    )`);
    await q.query('CREATE INDEX oidc_payloads_grant_id ON oidc_payloads (grant_id)');
    await q.query('CREATE INDEX oidc_payloads_user_code ON oidc_payloads (user_code)');
    await q.query('CREATE INDEX oidc_payloads_uid ON oidc_payloads (uid)');
    await q.query('CREATE INDEX oidc_payloads_expires_at ON oidc_payloads (expires_at)');
    await q.query(`CREATE TABLE consents (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      client_id text NOT NULL,
      scopes text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, client_id, scopes)
    )`);
    await q.query(`CREATE TABLE sessions (
      grant_id text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      client_id text NOT NULL,
      device_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query('CREATE INDEX sessions_user_id ON sessions (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE consents');
    await q.query('DROP TABLE oidc_payloads');
    await q.query('DROP TABLE users');
  }
}
