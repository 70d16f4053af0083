import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '../../src';

describe('AuthStore on Postgres', () => {
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

  it('creates users once per localpart, even when two requests race', async () => {
    const [a, b] = await Promise.all([
      store.users.create({ localpart: 'alice', passwordHash: 'x' }),
      store.users.create({ localpart: 'alice', passwordHash: 'y' }),
    ]);
    expect([a, b].filter((u) => u !== null)).toHaveLength(1);
    expect((await store.users.findByLocalpart('alice'))?.admin).toBe(false);
    expect(await store.users.findById('not-a-uuid')).toBeNull();
  });

  it('stores, finds, consumes, expires and revokes oidc payloads', async () => {
    await store.payloads.upsert('AccessToken', 'h1', { grantId: 'g1', accountId: 'u' }, 60);
    await store.payloads.upsert('RefreshToken', 'h2', { grantId: 'g1' }, 60);
    await store.payloads.upsert('DeviceCode', 'h3', { userCode: 'ABCD-EFGH' }, 60);
    await store.payloads.upsert('Interaction', 'i1', { uid: 'u1' }, -1);
    expect(await store.payloads.find('AccessToken', 'h1')).toMatchObject({ grantId: 'g1', accountId: 'u' });
    expect(await store.payloads.findByUserCode('DeviceCode', 'ABCD-EFGH')).toMatchObject({
      userCode: 'ABCD-EFGH',
    });
    expect(await store.payloads.findByUid('Interaction', 'u1')).toBeUndefined(); // expired
    await store.payloads.consume('RefreshToken', 'h2');
    expect((await store.payloads.find('RefreshToken', 'h2'))?.consumed).toEqual(expect.any(Number));
    await store.payloads.revokeByGrantId('g1');
    expect(await store.payloads.find('AccessToken', 'h1')).toBeUndefined();
    expect(await store.payloads.pruneExpired()).toBe(1);
  });

  it('expires payloads by the injected clock, not the wall clock', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const timed = new AuthStore(database.dataSource, () => now);
    await timed.payloads.upsert('AccessToken', 't1', { accountId: 'u' }, 60);
    await timed.payloads.upsert('Interaction', 't2', { uid: 'u2' }, 60);
    expect(await timed.payloads.find('AccessToken', 't1')).toBeDefined();
    expect(await timed.payloads.findByUid('Interaction', 'u2')).toBeDefined();
    expect(await timed.payloads.pruneExpired()).toBe(0);
    now += 61_000;
    expect(await timed.payloads.find('AccessToken', 't1')).toBeUndefined();
    expect(await timed.payloads.findByUid('Interaction', 'u2')).toBeUndefined();
    expect(await timed.payloads.pruneExpired()).toBe(2);
  });

  it('remembers consent as a set of scopes, and finishes a session exactly once', async () => {
    const user = (await store.users.create({ localpart: 'bob', passwordHash: null }))!;
    await store.consents.remember(user.id, 'client', ['b', 'a']);
    expect(await store.consents.has(user.id, 'client', ['a', 'b'])).toBe(true);
    expect(await store.consents.has(user.id, 'client', ['a'])).toBe(false);
    await store.sessions.start({ grantId: 'g', userId: user.id, clientId: 'client', deviceId: 'DEVICE1234' });
    await store.sessions.start({ grantId: 'g', userId: user.id, clientId: 'client', deviceId: 'DEVICE1234' });
    expect(await store.sessions.activeForUser(user.id)).toHaveLength(1);
    const finished = await Promise.all([store.sessions.finish('g'), store.sessions.finish('g')]);
    expect(finished.filter((s) => s !== null)).toEqual([
      expect.objectContaining({ deviceId: 'DEVICE1234', userId: user.id }),
    ]);
  });
});
