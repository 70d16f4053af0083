import type { MigrationInterface, QueryRunner } from 'typeorm';

const SECRET_MODELS = [
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'ClientCredentials',
  'RegistrationAccessToken',
  'BackchannelAuthenticationRequest',
];
const sha256 = (expr: string) => `encode(sha256(convert_to(${expr}, 'UTF8')), 'hex')`;

/**
 * Rows written before the storage adapter stripped token values (apps/auth-service/src/oidc/oidc-adapter.ts):
 * drop `jti` (the token value) from secret models' payloads, re-key browser sessions by hash, hash
 * device-flow user codes, and drop what interactions recorded of a session cookie or device code.
 * One-way: the values are gone, which is the point.
 */
export class NoSecretsAtRest1764910000000 implements MigrationInterface {
  name = 'NoSecretsAtRest1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE oidc_payloads SET payload = payload - 'jti' WHERE model = ANY($1)`, [
      SECRET_MODELS,
    ]);
    await q.query(
      `UPDATE oidc_payloads SET id = ${sha256('id')}, payload = payload - 'jti'
       WHERE model = 'Session' AND id !~ '^[0-9a-f]{64}$'`,
    );
    await q.query(
      `UPDATE oidc_payloads
       SET user_code = ${sha256('user_code')},
           payload = jsonb_set(payload, '{userCode}', to_jsonb(${sha256('user_code')}))
       WHERE model = 'DeviceCode' AND user_code IS NOT NULL AND user_code !~ '^[0-9a-f]{64}$'`,
    );
    await q.query(
      `UPDATE oidc_payloads SET payload = payload #- '{session,cookie}'
       WHERE model = 'Interaction' AND payload #> '{session,cookie}' IS NOT NULL`,
    );
    await q.query(
      `UPDATE oidc_payloads
       SET payload = jsonb_set(payload, '{deviceCode}', to_jsonb('key:' || ${sha256("payload->>'deviceCode'")}))
       WHERE model = 'Interaction' AND jsonb_typeof(payload->'deviceCode') = 'string'
         AND payload->>'deviceCode' NOT LIKE 'key:%'`,
    );
  }

  async down(): Promise<void> {
    // Nothing to restore: the removed values were never to be kept.
  }
}
