import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore, type ConfiguredProvider } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const provider = (over: Partial<ConfiguredProvider> = {}): ConfiguredProvider => ({
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  issuer: 'https://id.example.org/',
  humanName: 'Example ID',
  brandName: null,
  clientId: 'gateway',
  scope: 'openid profile',
  synapseIdpId: null,
  uiOrder: 0,
  ...over,
});

describe('upstream providers and links on Postgres', () => {
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

  it('keeps the providers table equal to the configuration, disabling (never deleting) what left it', async () => {
    const a = provider();
    const b = provider({ id: '01JBBBBBBBBBBBBBBBBBBBBBBB', humanName: 'B', uiOrder: 1 });
    expect(await store.upstream.syncProviders([a, b], later(0))).toEqual({
      configured: 2,
      disabled: 0,
      rekeyedLinks: 0,
    });
    expect(await store.upstream.syncProviders([{ ...a, scope: 'openid email' }], later(10))).toEqual({
      configured: 1,
      disabled: 1,
      rekeyedLinks: 0,
    });
    expect(await store.upstream.getProvider(a.id)).toMatchObject({
      scope: 'openid email',
      createdAt: later(0),
      disabledAt: null,
    });
    expect(await store.upstream.getProvider(b.id)).toMatchObject({ disabledAt: later(10) });
    expect(
      (await store.upstream.listProviders({ enabled: true }, { first: 10 })).items.map((p) => p.id),
    ).toEqual([a.id]);
    expect(await store.upstream.countProviders({ enabled: false })).toBe(1);
    // Back in the configuration: enabled again.
    await store.upstream.syncProviders([a, b], later(20));
    expect(await store.upstream.getProvider(b.id)).toMatchObject({ disabledAt: null });
  });

  it('re-keys links imported under synapse_idp_id, keeping a link already keyed by the id', async () => {
    const alice = (await store.users.create({ localpart: 'alice', passwordHash: null }))!;
    const bob = (await store.users.create({ localpart: 'bob', passwordHash: null }))!;
    // As the Synapse import writes them: keyed by Synapse's auth_provider.
    await database.dataSource.query(
      `INSERT INTO upstream_oauth_links (provider_id, subject, user_id) VALUES
       ('oidc-keycloak', 'sub-a', $1), ('oidc-keycloak', 'sub-b', $2)`,
      [alice.id, bob.id],
    );
    const p = provider({ synapseIdpId: 'oidc-keycloak' });
    await store.upstream.syncProviders([p], later(0));
    expect(
      await store.upstream.addLink(
        { providerId: p.id, subject: 'sub-b', userId: alice.id, humanAccountName: null },
        later(1),
      ),
    ).toBeNull();
    await database.dataSource.query(
      `INSERT INTO upstream_oauth_links (provider_id, subject, user_id) VALUES ('oidc-keycloak', 'sub-c', $1)`,
      [bob.id],
    );
    const result = await store.upstream.syncProviders([p], later(2));
    expect(result.rekeyedLinks).toBe(1);
    expect(await store.upstream.findLink(p.id, 'sub-a')).toMatchObject({ userId: alice.id });
    expect(await store.upstream.findLink(p.id, 'sub-c')).toMatchObject({ userId: bob.id });
    expect(await store.upstream.findLink('oidc-keycloak', 'sub-a')).toBeNull();
  });

  it('links a subject to one account per provider, lists with filters and cursors, and unlinks', async () => {
    const alice = (await store.users.create({ localpart: 'alice', passwordHash: 'x' }))!;
    const bob = (await store.users.create({ localpart: 'bob', passwordHash: 'x' }))!;
    const p = provider();
    const q = provider({ id: '01JCCCCCCCCCCCCCCCCCCCCCCC' });
    await store.upstream.syncProviders([p, q], later(0));
    const l1 = await store.upstream.addLink(
      { providerId: p.id, subject: 's1', userId: alice.id, humanAccountName: 'alice@id' },
      later(1),
    );
    expect(l1).toMatchObject({
      providerId: p.id,
      subject: 's1',
      userId: alice.id,
      humanAccountName: 'alice@id',
    });
    // The same subject cannot be linked again, to anyone.
    expect(
      await store.upstream.addLink(
        { providerId: p.id, subject: 's1', userId: bob.id, humanAccountName: null },
        later(2),
      ),
    ).toBeNull();
    const l2 = (await store.upstream.addLink(
      { providerId: q.id, subject: 's1', userId: alice.id, humanAccountName: null },
      later(3),
    ))!;
    const l3 = (await store.upstream.addLink(
      { providerId: p.id, subject: 's2', userId: bob.id, humanAccountName: null },
      later(4),
    ))!;
    expect(await store.upstream.getLink(l1!.id)).toEqual(l1);
    expect(await store.upstream.getLink('not-a-uuid')).toBeNull();
    expect((await store.upstream.linksOfUser(alice.id)).map((l) => l.id)).toEqual([l1!.id, l2.id]);
    expect(await store.upstream.countLinks({ providerId: p.id })).toBe(2);
    expect(await store.upstream.countLinks({ userId: bob.id, subject: 's2' })).toBe(1);
    const first = await store.upstream.listLinks({}, { first: 2 });
    expect(first.hasNext).toBe(true);
    const rest = await store.upstream.listLinks({}, { first: 2, after: first.items[1]!.id });
    expect([...first.items, ...rest.items].map((l) => l.id).sort()).toEqual([l1!.id, l2.id, l3.id].sort());
    // Only the owner's link goes when a user is named.
    expect(await store.upstream.removeLink(l3.id, alice.id)).toBeNull();
    expect(await store.upstream.removeLink(l3.id, bob.id)).toMatchObject({ id: l3.id, subject: 's2' });
    expect(await store.upstream.removeLink(l3.id)).toBeNull();
    expect(await store.upstream.removeUserLinksAt(alice.id, p.id)).toBe(1);
    expect((await store.upstream.linksOfUser(alice.id)).map((l) => l.id)).toEqual([l2.id]);
  });

  it('keeps sign-ins for back-channel logout: bound to the session once resumed, found by sub and/or sid, pruned by age', async () => {
    const alice = (await store.users.create({ localpart: 'alice', passwordHash: null }))!.id;
    const signIn = (sub: string, sid: string | null, interactionUid: string, at: Date) =>
      store.upstream.recordSignIn({ providerId: 'idp', sub, sid, userId: alice, interactionUid }, at);
    await signIn('sub-1', 'sid-a', 'interaction-1', later(0));
    await signIn('sub-1', 'sid-b', 'interaction-2', later(10));
    await signIn('sub-2', null, 'interaction-3', later(20));
    // Unbound (the authorization never resumed): not a session to end.
    expect(await store.upstream.signedInSessions('idp', { sub: 'sub-1', sid: null })).toEqual([]);
    expect(await store.upstream.bindSignIn('interaction-1', alice, 'session-1')).toBe(1);
    expect(await store.upstream.bindSignIn('interaction-2', alice, 'session-2')).toBe(1);
    // Bound once: a later resume of the same interaction does not move it, nor does another account's.
    expect(await store.upstream.bindSignIn('interaction-1', alice, 'session-9')).toBe(0);
    expect(
      await store.upstream.bindSignIn('interaction-3', '00000000-0000-4000-8000-000000000000', 'x'),
    ).toBe(0);
    const uids = async (match: { sub: string | null; sid: string | null }, providerId = 'idp') =>
      (await store.upstream.signedInSessions(providerId, match)).map((s) => s.browserSessionUid).sort();
    expect(await uids({ sub: 'sub-1', sid: null })).toEqual(['session-1', 'session-2']);
    expect(await uids({ sub: null, sid: 'sid-b' })).toEqual(['session-2']);
    expect(await uids({ sub: 'sub-1', sid: 'sid-a' })).toEqual(['session-1']);
    expect(await uids({ sub: 'sub-2', sid: 'sid-a' })).toEqual([]);
    expect(await uids({ sub: 'sub-1', sid: null }, 'other')).toEqual([]);
    expect(await store.upstream.pruneSignIns(later(10))).toBe(1);
    expect(await uids({ sub: 'sub-1', sid: null })).toEqual(['session-2']);
  });
});
