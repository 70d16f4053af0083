import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which browser session each sign-in through an upstream provider made (MAS's upstream authorization
 * sessions, as far as back-channel logout needs them): the provider, the ID token's `sub` and `sid`,
 * the account, and the oidc-provider session (`uid`) the sign-in ended in, bound when the authorization
 * resumed. A provider's logout token names `sub` and/or `sid`; these rows lead to the sessions to end.
 */
export class UpstreamSignIns1766400000000 implements MigrationInterface {
  name = 'UpstreamSignIns1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE upstream_oauth_sign_ins (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider_id text NOT NULL,
      sub text NOT NULL,
      sid text,
      user_id uuid NOT NULL,
      interaction_uid text NOT NULL,
      browser_session_uid text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX upstream_oauth_sign_ins_sub ON upstream_oauth_sign_ins (provider_id, sub)');
    await q.query('CREATE INDEX upstream_oauth_sign_ins_sid ON upstream_oauth_sign_ins (provider_id, sid)');
    await q.query(
      'CREATE INDEX upstream_oauth_sign_ins_interaction ON upstream_oauth_sign_ins (interaction_uid)',
    );
    await q.query('CREATE INDEX upstream_oauth_sign_ins_created ON upstream_oauth_sign_ins (created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE upstream_oauth_sign_ins');
  }
}
