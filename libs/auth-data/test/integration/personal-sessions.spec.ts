import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore, type NewPersonalSession } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);

describe('personal sessions on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let alice: string;
  let bob: string;
  const session = (actorUserId: string, humanName: string): NewPersonalSession => ({
    ownerUserId: actorUserId,
    ownerClientId: null,
    actorUserId,
    humanName,
    scope: 'urn:matrix:client:api:*',
    deviceId: null,
  });

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
    alice = (await store.users.create({ localpart: 'alice', passwordHash: null }))!.id;
    bob = (await store.users.create({ localpart: 'bob', passwordHash: null }))!.id;
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('creates a session with its token, finds it by hash, regenerates and revokes it once', async () => {
    const created = await store.personal.create(
      session(alice, 'backup bot'),
      { tokenHash: 'h1', expiresAt: later(3600) },
      T0,
    );
    expect(created).toMatchObject({ actorUserId: alice, humanName: 'backup bot', expiresAt: later(3600) });
    expect(await store.personal.findToken('h1')).toMatchObject({
      session: { id: created.id },
      expiresAt: later(3600),
    });
    const regenerated = await store.personal.regenerate(
      created.id,
      { tokenHash: 'h2', expiresAt: null },
      later(5),
    );
    expect(regenerated).toMatchObject({ id: created.id, expiresAt: null });
    expect(await store.personal.findToken('h1')).toBeNull();
    expect(await store.personal.findToken('h2')).not.toBeNull();

    expect((await store.personal.revoke(created.id, later(10)))?.revokedAt).toEqual(later(10));
    expect(await store.personal.revoke(created.id, later(11))).toBeNull();
    expect(await store.personal.findToken('h2')).toBeNull();
    expect(
      await store.personal.regenerate(created.id, { tokenHash: 'h3', expiresAt: null }, later(12)),
    ).toBeNull();
    expect(await store.personal.findToken('h3')).toBeNull();
    expect(await store.personal.findById(created.id)).toMatchObject({
      revokedAt: later(10),
      expiresAt: null,
    });
    expect(await store.personal.findById('nope')).toBeNull();
  });

  it('records its last use at most once a minute, and never after revocation', async () => {
    const made = await store.personal.create(session(alice, 'bot'), { tokenHash: 'u1', expiresAt: null }, T0);
    expect(made.lastActiveAt).toBeNull();
    await store.personal.touch(made.id, later(5));
    expect((await store.personal.findById(made.id))?.lastActiveAt).toEqual(later(5));
    await store.personal.touch(made.id, later(30));
    expect((await store.personal.findById(made.id))?.lastActiveAt).toEqual(later(5));
    await store.personal.touch(made.id, later(65));
    expect((await store.personal.findById(made.id))?.lastActiveAt).toEqual(later(65));
    expect((await store.personal.list({ actorUserId: alice }, { first: 10 })).items[0]?.lastActiveAt).toEqual(
      later(65),
    );
    await store.personal.revoke(made.id, later(70));
    await store.personal.touch(made.id, later(200));
    expect((await store.personal.findById(made.id))?.lastActiveAt).toEqual(later(65));
  });

  it('lists with filters and cursors, newest last; revokes every session of a user', async () => {
    const a1 = await store.personal.create(session(alice, 'a1'), { tokenHash: 'a1', expiresAt: null }, T0);
    const a2 = await store.personal.create(
      session(alice, 'a2'),
      { tokenHash: 'a2', expiresAt: null },
      later(1),
    );
    const b1 = await store.personal.create(
      session(bob, 'b1'),
      { tokenHash: 'b1', expiresAt: later(9) },
      later(2),
    );
    expect((await store.personal.list({}, { first: 2 })).items.map((s) => s.id)).toEqual([a1.id, a2.id]);
    const next = await store.personal.list({}, { first: 2, after: a2.id });
    expect(next).toMatchObject({ hasNext: false, hasPrevious: true });
    expect(next.items[0]).toMatchObject({ id: b1.id, expiresAt: later(9) });
    expect(await store.personal.count({ actorUserId: alice })).toBe(2);
    expect((await store.personal.activeForUser(alice)).map((s) => s.humanName)).toEqual(['a2', 'a1']);

    expect((await store.personal.revokeAllForUser(alice, later(3))).map((s) => s.id).sort()).toEqual(
      [a1.id, a2.id].sort(),
    );
    expect(await store.personal.count({ status: 'revoked' })).toBe(2);
    expect(await store.personal.count({ status: 'active' })).toBe(1);
    expect(await store.personal.findToken('a1')).toBeNull();
    expect(await store.personal.findToken('b1')).not.toBeNull();
  });
});
