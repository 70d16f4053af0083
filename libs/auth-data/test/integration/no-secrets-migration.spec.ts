import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS } from '../../src';
import { NoSecretsAtRest1764910000000 } from '../../src/migrations/1764910000000-no-secrets-at-rest';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');

// Rows as the adapter wrote them before it stripped token values: the migration leaves none usable.
describe('migration NoSecretsAtRest', () => {
  let db: TestDatabase;
  let database: Database;
  beforeEach(async () => {
    db = await createTestDatabase();
    // The schema before the migration.
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS.slice(0, 1),
      migrateOnConnect: true,
    });
    await database.connected;
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('strips token values, re-keys sessions and hashes user codes', async () => {
    const insert = (model: string, id: string, payload: object, userCode: string | null = null) =>
      database.dataSource.query(
        'INSERT INTO oidc_payloads (model, id, payload, user_code) VALUES ($1, $2, $3, $4)',
        [model, id, JSON.stringify(payload), userCode],
      );
    await insert('AccessToken', sha('mat_secret'), { jti: 'mat_secret', kind: 'AccessToken' });
    await insert('Session', 'cookie-value', { jti: 'cookie-value', uid: 'u1' });
    await insert(
      'DeviceCode',
      sha('device-secret'),
      { jti: 'device-secret', userCode: 'BCDFGHJK' },
      'BCDFGHJK',
    );
    await insert('Interaction', 'i1', {
      jti: 'i1',
      session: { uid: 'u1', cookie: 'cookie-value' },
      deviceCode: 'device-secret',
    });

    // The migration as it runs on an existing deployment's database.
    const runner = database.dataSource.createQueryRunner();
    try {
      await new NoSecretsAtRest1764910000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows: { model: string; id: string; payload: unknown; user_code: string | null }[] =
      await database.dataSource.query(
        'SELECT model, id, payload, user_code FROM oidc_payloads ORDER BY model',
      );
    const dump = JSON.stringify(rows);
    for (const secret of ['mat_secret', 'cookie-value', 'device-secret', 'BCDFGHJK'])
      expect(dump).not.toContain(secret);
    expect(rows.find((r) => r.model === 'Session')?.id).toBe(sha('cookie-value'));
    expect(rows.find((r) => r.model === 'DeviceCode')?.user_code).toBe(sha('BCDFGHJK'));
    expect(rows.find((r) => r.model === 'Interaction')?.payload).toMatchObject({
      session: { uid: 'u1' },
      deviceCode: `key:${sha('device-secret')}`,
    });
  });
});
