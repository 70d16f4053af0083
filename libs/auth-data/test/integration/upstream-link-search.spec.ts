import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');

// The admin API's filter[human-account-name]: part of the name, any case, LIKE's wildcards as text.
describe('upstream links found by account name on Postgres', () => {
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

  it('matches a case-insensitive substring, with % _ and \\ taken literally', async () => {
    const alice = (await store.users.create({ localpart: 'alice', passwordHash: 'x' }))!;
    const providerId = '01JAAAAAAAAAAAAAAAAAAAAAAA';
    await store.upstream.syncProviders(
      [
        {
          id: providerId,
          issuer: 'https://id.example.org/',
          humanName: 'Example ID',
          brandName: null,
          clientId: 'gateway',
          scope: 'openid',
          synapseIdpId: null,
          uiOrder: 0,
        },
      ],
      T0,
    );
    const names = ['Alice@Mail.Example', 'alice_100%', 'a\\b', null];
    for (const [i, humanAccountName] of names.entries())
      await store.upstream.addLink(
        { providerId, subject: `s${String(i)}`, userId: alice.id, humanAccountName },
        T0,
      );
    const found = async (humanAccountName: string) =>
      (await store.upstream.listLinks({ humanAccountName }, { first: 10 })).items
        .map((l) => l.humanAccountName)
        .sort();
    expect(await found('mail.EX')).toEqual(['Alice@Mail.Example']);
    expect(await found('ALICE')).toEqual(['Alice@Mail.Example', 'alice_100%']);
    // As wildcards, `c_` would match every alice and `e%1` alice_100%.
    expect(await found('c_')).toEqual([]);
    expect(await found('e%1')).toEqual([]);
    expect(await found('e_1')).toEqual(['alice_100%']);
    expect(await found('0%')).toEqual(['alice_100%']);
    expect(await found('\\')).toEqual(['a\\b']);
    expect(await store.upstream.countLinks({ humanAccountName: 'a', userId: alice.id })).toBe(3);
  });
});
