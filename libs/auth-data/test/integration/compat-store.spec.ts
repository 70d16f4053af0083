import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);

describe('compat sessions on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let userId: string;
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
    userId = (await store.users.create({ localpart: 'alice', passwordHash: null }))!.id;
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('starts a session, finds its token, and replaces the session when the device is reused', async () => {
    const first = await store.compat.start(
      userId,
      'DEV',
      { accessTokenHash: 'a1', refreshTokenHash: null, accessExpiresAt: null },
      T0,
    );
    expect(first.replaced).toEqual([]);
    expect(await store.compat.findAccessToken('a1')).toMatchObject({
      session: { id: first.session.id, deviceId: 'DEV' },
      expiresAt: null,
    });
    const second = await store.compat.start(
      userId,
      'DEV',
      { accessTokenHash: 'a2', refreshTokenHash: null, accessExpiresAt: null },
      later(1),
    );
    expect(second.replaced.map((s) => s.id)).toEqual([first.session.id]);
    expect(await store.compat.findAccessToken('a1')).toBeNull();
    expect(await store.compat.findAccessToken('a2')).not.toBeNull();
  });

  it('rotates refresh tokens once, withdrawing the old access token', async () => {
    const { session } = await store.compat.start(
      userId,
      'DEV',
      { accessTokenHash: 'a1', refreshTokenHash: 'r1', accessExpiresAt: later(300) },
      T0,
    );
    const next = { accessTokenHash: 'a2', refreshTokenHash: 'r2', accessExpiresAt: later(600) };
    expect(await store.compat.refresh('r1', next, later(10))).toEqual({
      ok: true,
      session: expect.objectContaining({ id: session.id }),
    });
    expect(await store.compat.findAccessToken('a1')).toBeNull();
    expect(await store.compat.findAccessToken('a2')).toMatchObject({ expiresAt: later(600) });
    expect(
      await store.compat.refresh('r1', { ...next, accessTokenHash: 'a3', refreshTokenHash: 'r3' }, later(11)),
    ).toEqual({ ok: false, reason: 'consumed' });
    expect(
      await store.compat.refresh(
        'nope',
        { ...next, accessTokenHash: 'a4', refreshTokenHash: 'r4' },
        later(11),
      ),
    ).toEqual({ ok: false, reason: 'unknown' });
  });

  it('finishes sessions once, dropping their tokens', async () => {
    const { session } = await store.compat.start(
      userId,
      'DEV',
      { accessTokenHash: 'a1', refreshTokenHash: 'r1', accessExpiresAt: null },
      T0,
    );
    await store.compat.start(
      userId,
      'OTHER',
      { accessTokenHash: 'b1', refreshTokenHash: null, accessExpiresAt: null },
      T0,
    );
    expect(await store.compat.finish(session.id, later(1))).toMatchObject({
      id: session.id,
      deviceId: 'DEV',
    });
    expect(await store.compat.finish(session.id, later(2))).toBeNull();
    expect(await store.compat.findAccessToken('a1')).toBeNull();
    expect(
      (
        await store.compat.refresh(
          'r1',
          { accessTokenHash: 'x', refreshTokenHash: 'y', accessExpiresAt: null },
          later(3),
        )
      ).ok,
    ).toBe(false);
    expect((await store.compat.finishAllForUser(userId, later(4))).map((s) => s.deviceId)).toEqual(['OTHER']);
    expect(await store.compat.activeForUser(userId)).toEqual([]);
  });

  it('fulfils an SSO login once and exchanges its token once, only while fresh', async () => {
    const login = await store.compat.startSsoLogin('https://app.example/cb', T0);
    expect(await store.compat.findSsoLogin(login.id)).toMatchObject({
      redirectUrl: 'https://app.example/cb',
      fulfilledAt: null,
    });
    expect(await store.compat.findSsoLogin('not-a-uuid')).toBeNull();
    expect(await store.compat.fulfilSsoLogin(login.id, userId, 'lt', later(1))).toBe(true);
    expect(await store.compat.fulfilSsoLogin(login.id, userId, 'lt2', later(2))).toBe(false);
    expect(await store.compat.exchangeSsoLogin('lt', later(5), later(6))).toBeNull(); // fulfilled before notBefore
    expect(await store.compat.exchangeSsoLogin('lt', later(0), later(6))).toMatchObject({ userId });
    expect(await store.compat.exchangeSsoLogin('lt', later(0), later(7))).toBeNull();
  });

  it("records a session's last activity and address, and keeps a finished session's as it ended", async () => {
    const { session } = await store.compat.start(
      userId,
      'ACT',
      { accessTokenHash: 'act1', refreshTokenHash: null, accessExpiresAt: null },
      T0,
    );
    expect(await store.compat.activityForUser(userId)).toEqual(new Map());
    await store.compat.touch(session.id, '192.0.2.7', later(5));
    await store.compat.touch(session.id, '198.51.100.9', later(60));
    expect(await store.compat.activityForUser(userId)).toEqual(
      new Map([[session.id, { lastActiveAt: later(60), lastActiveIp: '198.51.100.9' }]]),
    );
    await store.compat.finish(session.id, later(61));
    await store.compat.touch(session.id, '203.0.113.1', later(62));
    expect(await store.compat.activityForUser(userId)).toEqual(new Map());

    await store.sessions.start({ grantId: 'grant-act', userId, clientId: 'client', deviceId: 'OAUTHACT' });
    await store.sessions.touch('grant-act', '192.0.2.8');
    const oauth = await store.sessions.activityForUser(userId);
    expect(oauth.get('grant-act')?.lastActiveIp).toBe('192.0.2.8');
    expect(oauth.get('grant-act')?.lastActiveAt).toBeInstanceOf(Date);
  });
});
