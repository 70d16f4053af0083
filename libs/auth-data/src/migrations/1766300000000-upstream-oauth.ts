import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upstream OpenID providers (MAS's `upstream_oauth_providers`) and ids for the links the Synapse import
 * already fills. A provider row mirrors the operator's configuration, synced at start; its client secret
 * is never stored (it stays in the configuration or its file). Links gain the id the admin API names
 * them by, and the account name the provider gave, for people to recognise them.
 */
export class UpstreamOauth1766300000000 implements MigrationInterface {
  name = 'UpstreamOauth1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE upstream_oauth_providers (
      id text PRIMARY KEY,
      issuer text,
      human_name text,
      brand_name text,
      client_id text NOT NULL,
      scope text NOT NULL,
      synapse_idp_id text,
      ui_order integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    )`);
    await q.query('ALTER TABLE upstream_oauth_links ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()');
    await q.query('ALTER TABLE upstream_oauth_links ADD CONSTRAINT upstream_oauth_links_id UNIQUE (id)');
    await q.query('ALTER TABLE upstream_oauth_links ADD COLUMN human_account_name text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE upstream_oauth_links DROP COLUMN human_account_name');
    await q.query('ALTER TABLE upstream_oauth_links DROP CONSTRAINT upstream_oauth_links_id');
    await q.query('ALTER TABLE upstream_oauth_links DROP COLUMN id');
    await q.query('DROP TABLE upstream_oauth_providers');
  }
}
