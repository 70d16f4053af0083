import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);

describe('registration tokens on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  beforeEach(async () => {
    db = await createTestDatabase();
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('gives a token’s uses to exactly as many concurrent registrations as it allows', async () => {
    await store.registrationTokens.create({ token: 'last-two', usageLimit: 2, expiresAt: null });
    const uses = await Promise.all(
      Array.from({ length: 8 }, () => store.registrationTokens.use('last-two', T0)),
    );
    expect(uses.filter((u) => u.ok)).toHaveLength(2);
    expect(uses.filter((u) => !u.ok)).toEqual(Array(6).fill({ ok: false, problem: 'exhausted' }));
    expect(await store.registrationTokens.findByToken('last-two')).toMatchObject({
      timesUsed: 2,
      lastUsedAt: T0,
    });
  });

  it('names why a token cannot be used, and gives a use back', async () => {
    const token = (await store.registrationTokens.create({
      token: 't',
      usageLimit: 1,
      expiresAt: later(60),
    }))!;
    expect(
      await store.registrationTokens.create({ token: 't', usageLimit: null, expiresAt: null }),
    ).toBeNull();
    expect(await store.registrationTokens.use('nope', T0)).toEqual({ ok: false, problem: 'unknown' });
    expect(await store.registrationTokens.use('t', later(60))).toEqual({ ok: false, problem: 'expired' });
    expect(await store.registrationTokens.use('t', T0)).toMatchObject({ ok: true, token: { timesUsed: 1 } });
    expect(await store.registrationTokens.use('t', T0)).toEqual({ ok: false, problem: 'exhausted' });
    await store.registrationTokens.release(token.id);
    await store.registrationTokens.setRevoked('t', T0);
    expect(await store.registrationTokens.use('t', T0)).toEqual({ ok: false, problem: 'revoked' });
    await store.registrationTokens.setRevoked('t', null);
    expect(await store.registrationTokens.use('t', T0)).toMatchObject({ ok: true, token: { timesUsed: 1 } });
    expect((await store.registrationTokens.list()).map((t) => t.token)).toEqual(['t']);
  });
});
