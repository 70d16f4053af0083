import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');

describe('second factors on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let alice: string;

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
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('keeps an enrolment pending until confirmed with its own secret, then refuses a restart', async () => {
    expect(await store.mfa.startTotp(alice, 'envelope-1', T0)).toBe(true);
    expect(await store.mfa.hasTotp(alice)).toBe(false);
    // A second tab restarted the enrolment: the first tab's secret no longer confirms.
    expect(await store.mfa.startTotp(alice, 'envelope-2', T0)).toBe(true);
    expect(await store.mfa.confirmTotp(alice, 'envelope-1', 100, ['h1'], T0)).toBe(false);
    expect(await store.mfa.confirmTotp(alice, 'envelope-2', 100, ['h1', 'h2'], T0)).toBe(true);
    expect(await store.mfa.findTotp(alice)).toEqual({
      userId: alice,
      secretCiphertext: 'envelope-2',
      createdAt: T0,
      confirmedAt: T0,
      lastUsedStep: 100,
    });
    expect(await store.mfa.hasTotp(alice)).toBe(true);
    expect(await store.mfa.startTotp(alice, 'envelope-3', T0)).toBe(false);
    expect(await store.mfa.confirmTotp(alice, 'envelope-2', 101, [], T0)).toBe(false);
    expect(await store.mfa.unusedRecoveryCodes(alice)).toBe(2);
  });

  it('accepts each time step once and never an earlier one', async () => {
    await store.mfa.startTotp(alice, 'e', T0);
    expect(await store.mfa.useTotpStep(alice, 5)).toBe(false); // not confirmed yet
    await store.mfa.confirmTotp(alice, 'e', 100, [], T0);
    expect(await store.mfa.useTotpStep(alice, 100)).toBe(false);
    expect(await store.mfa.useTotpStep(alice, 99)).toBe(false);
    const both = await Promise.all([store.mfa.useTotpStep(alice, 101), store.mfa.useTotpStep(alice, 101)]);
    expect(both.sort()).toEqual([false, true]);
    expect((await store.mfa.findTotp(alice))?.lastUsedStep).toBe(101);
  });

  it('uses a recovery code once, replaces the set, and removes everything with the factor', async () => {
    expect(await store.mfa.replaceRecoveryCodes(alice, ['x'], T0)).toBe(false); // no factor
    await store.mfa.startTotp(alice, 'e', T0);
    await store.mfa.confirmTotp(alice, 'e', 1, ['a', 'b'], T0);
    expect(await store.mfa.useRecoveryCode(alice, 'a', T0)).toBe(true);
    expect(await store.mfa.useRecoveryCode(alice, 'a', T0)).toBe(false);
    expect(await store.mfa.unusedRecoveryCodes(alice)).toBe(1);
    expect(await store.mfa.replaceRecoveryCodes(alice, ['c', 'd', 'e'], T0)).toBe(true);
    expect(await store.mfa.useRecoveryCode(alice, 'b', T0)).toBe(false);
    expect(await store.mfa.unusedRecoveryCodes(alice)).toBe(3);
    expect(await store.mfa.removeTotp(alice)).toBe(true);
    expect(await store.mfa.removeTotp(alice)).toBe(false);
    expect(await store.mfa.findTotp(alice)).toBeNull();
    expect(await store.mfa.unusedRecoveryCodes(alice)).toBe(0);
  });
});
