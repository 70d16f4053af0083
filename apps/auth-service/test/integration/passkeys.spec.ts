import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@gateway/testing';
import { Mfa } from '../../src/mfa/mfa';
import { redisPasskeyChallenges } from '../../src/mfa/passkey-challenges';
import { Passkeys, relyingPartyOf } from '../../src/mfa/passkeys';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';
import { SoftAuthenticator } from '../support/soft-authenticator';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');
const KEY = 'the operator key, 32 characters or more';
const RP = relyingPartyOf('https://auth.example.com/', 'example.com');

// Passkeys on Postgres and Redis: the ceremonies end to end with a software authenticator, the
// recovery codes that come and go with the factors, and the operator's reset of a lost factor.
describe('passkeys on Postgres and Redis', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let client: Redis;
  let database: Database;
  let store: AuthStore;
  let mfa: Mfa;
  let passkeys: Passkeys;
  const now = Date.parse('2031-06-01T12:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await createTestRedis();
    client = new Redis(redis.url);
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
    mfa = new Mfa(store, () => now, KEY, 'example.com');
    passkeys = new Passkeys(store.passkeys, redisPasskeyChallenges(client, redis.prefix), RP, () => now);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.cleanup();
    await database.close();
    await db.drop();
  });

  async function user(localpart: string): Promise<string> {
    return (await store.users.create({ localpart, passwordHash: null }))!.id;
  }

  async function addPasskey(userId: string, name: string): Promise<SoftAuthenticator> {
    const device = new SoftAuthenticator(RP.id, RP.origin);
    const options = await passkeys.registrationOptions({ id: userId }, `@x:example.com`);
    expect(await passkeys.register(userId, device.create(options), name)).toBe(true);
    return device;
  }

  it('stores public data only, keeps the challenge in Redis until answered, and counts a passkey as a factor', async () => {
    const alice = await user('alice');
    expect(await mfa.enabled(alice)).toBe(false);
    const device = new SoftAuthenticator(RP.id, RP.origin);
    const options = JSON.parse(await passkeys.registrationOptions({ id: alice }, '@alice:example.com')) as {
      challenge: string;
    };
    const key = `${redis.prefix}:passkey-challenge:${options.challenge}`;
    expect(await client.get(key)).toBe(`register:${alice}`);
    expect(await client.pttl(key)).toBeGreaterThan(290_000);
    expect(await passkeys.register(alice, device.create(JSON.stringify(options)), 'Laptop')).toBe(true);
    expect(await client.exists(key)).toBe(0);

    const rows: Record<string, unknown>[] = await database.dataSource.query(
      'SELECT credential_id, counter, transports, name, created_at, last_used_at FROM user_passkeys',
    );
    expect(rows).toEqual([
      {
        credential_id: device.id,
        counter: '0',
        transports: ['internal'],
        name: 'Laptop',
        created_at: new Date(now),
        last_used_at: null,
      },
    ]);
    expect(await mfa.enabled(alice)).toBe(true);
    expect(await mfa.totpEnabled(alice)).toBe(false);
    // The same credential again (another tab): refused.
    const again = await passkeys.registrationOptions({ id: alice }, '@alice:example.com');
    expect(await passkeys.register(alice, device.create(again), 'Laptop')).toBe(false);

    const signIn = await passkeys.authenticationOptions({ kind: 'sign-in' });
    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(signIn, alice))).toBe(alice);
    expect((await store.passkeys.list(alice))[0]).toMatchObject({ counter: 1, lastUsedAt: new Date(now) });
  });

  it('gives a passkey-only account recovery codes that work, and takes them with its last passkey', async () => {
    const bob = await user('bob');
    const first = await addPasskey(bob, 'One');
    const codes = (await mfa.regenerateRecoveryCodes(bob))!;
    expect(codes).toHaveLength(10);
    expect(await mfa.verify(bob, codes[0]!)).toBe('recovery-code');
    expect(await mfa.verify(bob, codes[0]!)).toBe('wrong');
    // Six digits are no use without an authenticator app.
    expect(await mfa.verify(bob, '123456')).toBe('wrong');

    const second = await addPasskey(bob, 'Two');
    expect(await passkeys.remove(bob, first.id)).toBe(true);
    expect(await mfa.unusedRecoveryCodes(bob)).toBe(9);
    expect(await passkeys.remove(bob, second.id)).toBe(true);
    expect(await mfa.unusedRecoveryCodes(bob)).toBe(0);
    expect(await mfa.enabled(bob)).toBe(false);
    expect(await mfa.regenerateRecoveryCodes(bob)).toBeNull();
  });

  it('keeps the recovery codes when TOTP is turned off while a passkey remains', async () => {
    const carol = await user('carol');
    const enrolment = (await mfa.pendingEnrolment(carol, '@carol:example.com'))!;
    const code = totpCode(base32Decode(enrolment.secret)!, totpStep(new Date(now)));
    expect(await mfa.confirmEnrolment(carol, code)).toHaveLength(10);
    await addPasskey(carol, 'Key');
    expect(await mfa.disable(carol)).toBe(true);
    expect(await mfa.unusedRecoveryCodes(carol)).toBe(10);
    expect(await mfa.enabled(carol)).toBe(true);
  });

  it('resets a lost factor from the CLI: TOTP, passkeys and recovery codes gone, audited, readable output', async () => {
    const dave = await user('dave');
    const enrolment = (await mfa.pendingEnrolment(dave, '@dave:example.com'))!;
    const code = totpCode(base32Decode(enrolment.secret)!, totpStep(new Date(now)));
    expect(await mfa.confirmEnrolment(dave, code)).toHaveLength(10);
    await addPasskey(dave, 'Phone');
    await addPasskey(dave, 'Key');

    const env = {
      ...process.env,
      AUTH_ISSUER: 'http://127.0.0.1:9/',
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: redis.url,
      AUTH_HOMESERVER: 'example.com',
      AUTH_SYNAPSE_URL: 'http://127.0.0.1:9',
      AUTH_SYNAPSE_SECRET: 'cli-test-secret-0123456789',
      AUTH_SIGNING_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'cli-keys-')), 'keys.json'),
    };
    const cli = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
        return { code: 0, out: stdout + stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };
    expect(await cli('user', 'reset-mfa', '@dave:example.com')).toEqual({
      code: 0,
      out: 'removed from @dave:example.com: the authenticator app, 2 passkeys, 10 recovery codes; the password alone signs in now\n',
    });
    expect(await mfa.enabled(dave)).toBe(false);
    expect(await mfa.unusedRecoveryCodes(dave)).toBe(0);
    expect(await store.passkeys.list(dave)).toEqual([]);
    expect(await cli('user', 'reset-mfa', 'dave')).toEqual({
      code: 0,
      out: '@dave:example.com had no second factor\n',
    });
    expect(await cli('user', 'reset-mfa', 'nobody')).toEqual({ code: 1, out: 'no such user: nobody\n' });

    const audit: { outcome: string; subject: string | null; details: Record<string, unknown> }[] =
      await database.dataSource.query(
        `SELECT outcome, subject, details FROM audit_events WHERE type = 'cli.user.mfa.reset' ORDER BY id`,
      );
    expect(audit.map((a) => [a.outcome, a.subject, a.details['webauthn_removed'] ?? null])).toEqual([
      ['attempted', '@dave:example.com', null],
      ['succeeded', '@dave:example.com', 2],
      ['attempted', 'dave', null],
      ['succeeded', 'dave', 0],
      ['attempted', 'nobody', null],
      ['failed', 'nobody', null],
    ]);
  });
});
