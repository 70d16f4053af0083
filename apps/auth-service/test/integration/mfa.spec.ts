import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { Mfa } from '../../src/mfa/mfa';
import { base32Decode, totpCode, totpStep } from '../../src/mfa/totp';

const KEY = 'the operator key, 32 characters or more';

describe('TOTP and recovery codes on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let mfa: Mfa;
  let now = Date.parse('2031-06-01T12:00:00Z');
  const codeAt = (secret: string, at: number) => totpCode(base32Decode(secret)!, totpStep(new Date(at)));

  beforeAll(async () => {
    db = await createTestDatabase();
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
    mfa = new Mfa(store, () => now, KEY, 'example.com');
  });
  afterAll(async () => {
    await database.close();
    await db.drop();
  });

  it('enrols with a current code, keeps only an envelope and hashes, and takes each code once', async () => {
    const alice = (await store.users.create({ localpart: 'alice', passwordHash: null }))!.id;
    const enrolment = (await mfa.pendingEnrolment(alice, '@alice:example.com'))!;
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    // A reload shows the same secret; nothing is enabled before the first code.
    expect(await mfa.pendingEnrolment(alice, '@alice:example.com')).toEqual(enrolment);
    expect(await mfa.enabled(alice)).toBe(false);
    expect(await mfa.confirmEnrolment(alice, codeAt(enrolment.secret, now - 90_000))).toBeNull();
    const codes = (await mfa.confirmEnrolment(alice, codeAt(enrolment.secret, now)))!;
    expect(codes).toHaveLength(10);
    expect(await mfa.enabled(alice)).toBe(true);
    expect(await mfa.pendingEnrolment(alice, '@alice:example.com')).toBeNull();

    // At rest: no form of the secret nor any recovery code in the rows.
    const rows = JSON.stringify([
      await database.dataSource.query('SELECT * FROM user_totp'),
      await database.dataSource.query('SELECT * FROM user_recovery_codes'),
    ]);
    const secret = base32Decode(enrolment.secret)!;
    for (const form of [
      enrolment.secret,
      secret.toString('hex'),
      secret.toString('base64'),
      secret.toString('base64url'),
    ])
      expect(rows).not.toContain(form);
    for (const code of codes) expect(rows).not.toContain(code.replace('-', ''));

    // The confirming code's step is used; the next step's code works once.
    expect(await mfa.verify(alice, codeAt(enrolment.secret, now))).toBe('wrong');
    now += 30_000;
    expect(await mfa.verify(alice, codeAt(enrolment.secret, now))).toBe('totp');
    expect(await mfa.verify(alice, codeAt(enrolment.secret, now))).toBe('wrong');
    expect(await mfa.verify(alice, '000000')).toBe('wrong');

    expect(await mfa.verify(alice, codes[0]!.toLowerCase())).toBe('recovery-code');
    expect(await mfa.verify(alice, codes[0]!)).toBe('wrong');
    expect(await mfa.unusedRecoveryCodes(alice)).toBe(9);
    const fresh = (await mfa.regenerateRecoveryCodes(alice))!;
    expect(await mfa.verify(alice, codes[1]!)).toBe('wrong');
    expect(await mfa.verify(alice, fresh[1]!)).toBe('recovery-code');

    // Another key (a changed AUTH_MFA_ENCRYPTION_KEY) opens nothing.
    now += 30_000;
    const other = new Mfa(store, () => now, `${KEY}, changed`, 'example.com');
    expect(await other.verify(alice, codeAt(enrolment.secret, now))).toBe('wrong');
    expect(await other.verify(alice, fresh[2]!)).toBe('wrong');

    expect(await mfa.disable(alice)).toBe(true);
    expect(await mfa.enabled(alice)).toBe(false);
    expect(await mfa.verify(alice, fresh[3]!)).toBe('wrong');
  });
});
