import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an import from Synapse (`cli.js import-synapse`) brings along besides users and compat sessions:
 * display names, email addresses, links to upstream identity providers (kept for the upstream-IdP
 * feature; no provider is configured yet) and the import's per-table checkpoints, which let a killed
 * import continue where it stopped.
 */
export class SynapseImport1765100000000 implements MigrationInterface {
  name = 'SynapseImport1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text');
    await q.query(`CREATE TABLE IF NOT EXISTS user_emails (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      email text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      confirmed_at timestamptz,
      UNIQUE (user_id, email)
    )`);
    await q.query('CREATE INDEX IF NOT EXISTS user_emails_email ON user_emails (lower(email))');
    // Keyed as an upstream provider knows an account: its id for the provider plus the subject.
    await q.query(`CREATE TABLE IF NOT EXISTS upstream_oauth_links (
      provider_id text NOT NULL,
      subject text NOT NULL,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider_id, subject)
    )`);
    await q.query('CREATE INDEX IF NOT EXISTS upstream_oauth_links_user ON upstream_oauth_links (user_id)');
    await q.query(`CREATE TABLE synapse_import_checkpoints (
      kind text PRIMARY KEY,
      last_key text,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE synapse_import_checkpoints');
    await q.query('DROP TABLE upstream_oauth_links');
    await q.query('DROP TABLE user_emails');
    await q.query('ALTER TABLE users DROP COLUMN IF EXISTS display_name');
  }
}
