import { describe, expect, it } from 'vitest';
import type { NewPasskey, UserPasskey } from '@gateway/auth-data';
import { SoftAuthenticator } from '../../test/support/soft-authenticator';
import type { PasskeyChallenges } from './passkey-challenges';
import { passkeyName, Passkeys, relyingPartyOf, type PasskeyStore } from './passkeys';

const RP = relyingPartyOf('https://auth.example.org/', 'example.org');
const ALICE = '0b9e8c1a-1111-4a4a-8a8a-aaaaaaaaaaaa';
const BOB = '0b9e8c1a-2222-4b4b-8b8b-bbbbbbbbbbbb';

/** The repository's contract in memory: unique credential ids, a counter that must move forward. */
class FakePasskeyStore implements PasskeyStore {
  readonly rows = new Map<string, UserPasskey>();
  list(userId: string): Promise<UserPasskey[]> {
    return Promise.resolve([...this.rows.values()].filter((p) => p.userId === userId));
  }
  findByCredentialId(id: string): Promise<UserPasskey | null> {
    return Promise.resolve(this.rows.get(id) ?? null);
  }
  add(p: NewPasskey): Promise<boolean> {
    if (this.rows.has(p.credentialId)) return Promise.resolve(false);
    this.rows.set(p.credentialId, { ...p, lastUsedAt: null });
    return Promise.resolve(true);
  }
  used(id: string, counter: number, now: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || !(row.counter < counter || (row.counter === 0 && counter === 0)))
      return Promise.resolve(false);
    this.rows.set(id, { ...row, counter, lastUsedAt: now });
    return Promise.resolve(true);
  }
  rename(userId: string, id: string, name: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (row?.userId !== userId) return Promise.resolve(false);
    this.rows.set(id, { ...row, name });
    return Promise.resolve(true);
  }
  remove(userId: string, id: string): Promise<boolean> {
    return Promise.resolve(this.rows.get(id)?.userId === userId && this.rows.delete(id));
  }
}

class FakeChallenges implements PasskeyChallenges {
  readonly map = new Map<string, string>();
  put(challenge: string, purpose: string): Promise<void> {
    this.map.set(challenge, purpose);
    return Promise.resolve();
  }
  take(challenge: string): Promise<string | null> {
    const purpose = this.map.get(challenge) ?? null;
    this.map.delete(challenge);
    return Promise.resolve(purpose);
  }
}

function setup() {
  const store = new FakePasskeyStore();
  const challenges = new FakeChallenges();
  const passkeys = new Passkeys(store, challenges, RP, () => Date.parse('2026-12-06T08:00:00Z'));
  return { store, challenges, passkeys };
}

async function registered(passkeys: Passkeys, userId = ALICE): Promise<SoftAuthenticator> {
  const device = new SoftAuthenticator(RP.id, RP.origin);
  const options = await passkeys.registrationOptions({ id: userId }, '@alice:example.org');
  expect(await passkeys.register(userId, device.create(options), '  My   laptop ')).toBe(true);
  return device;
}

describe(Passkeys.name, () => {
  it('derives the relying party from the public URL', () => {
    expect(relyingPartyOf('https://auth.example.org:8443/mas/', 'example.org')).toEqual({
      id: 'auth.example.org',
      origin: 'https://auth.example.org:8443',
      name: 'example.org',
    });
  });

  it('asks for a discoverable, user-verifying credential, excluding the ones the user has', async () => {
    const { passkeys } = setup();
    const device = await registered(passkeys);
    const options = JSON.parse(
      await passkeys.registrationOptions({ id: ALICE }, '@alice:example.org'),
    ) as Record<string, unknown>;
    expect(options).toMatchObject({
      rp: { id: 'auth.example.org', name: 'example.org' },
      user: { name: '@alice:example.org', id: Buffer.from(ALICE).toString('base64url') },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [{ id: device.id, type: 'public-key', transports: ['internal'] }],
    });
  });

  it('registers a created credential once, under a tidied name', async () => {
    const { passkeys, store } = setup();
    const device = await registered(passkeys);
    expect([...store.rows.values()]).toEqual([
      expect.objectContaining({ credentialId: device.id, userId: ALICE, name: 'My laptop', counter: 0 }),
    ]);
    expect(passkeyName('   ')).toBe('Passkey');
  });

  it('keeps a registration started in a sign-in to that sign-in, and the account page’s out of it', async () => {
    const { passkeys, store } = setup();
    const device = new SoftAuthenticator(RP.id, RP.origin);
    const inSignIn = () => passkeys.registrationOptions({ id: ALICE }, '@alice:example.org', 'uid-one');
    expect(await passkeys.register(ALICE, device.create(await inSignIn()), 'x')).toBe(false);
    expect(await passkeys.register(ALICE, device.create(await inSignIn()), 'x', 'uid-two')).toBe(false);
    const onAccountPage = await passkeys.registrationOptions({ id: ALICE }, '@alice:example.org');
    expect(await passkeys.register(ALICE, device.create(onAccountPage), 'x', 'uid-one')).toBe(false);
    expect(store.rows.size).toBe(0);
    const answer = device.create(await inSignIn());
    expect(await passkeys.register(ALICE, answer, 'x', 'uid-one')).toBe(true);
    // Replayed: its challenge was taken.
    expect(await passkeys.register(ALICE, answer, 'x', 'uid-one')).toBe(false);
    expect(store.rows.size).toBe(1);
  });

  it('refuses a registration for another user, a reused challenge, another origin, or no user verification', async () => {
    const { passkeys } = setup();
    const device = new SoftAuthenticator(RP.id, RP.origin);
    const forAlice = await passkeys.registrationOptions({ id: ALICE }, '@alice:example.org');
    expect(await passkeys.register(BOB, device.create(forAlice), 'x')).toBe(false);
    // The challenge was taken by that try: the same answer for Alice is refused too.
    expect(await passkeys.register(ALICE, device.create(forAlice), 'x')).toBe(false);

    const phishing = new SoftAuthenticator(RP.id, 'https://auth.example.org.evil.test');
    const options = await passkeys.registrationOptions({ id: ALICE }, '@alice:example.org');
    expect(await passkeys.register(ALICE, phishing.create(options), 'x')).toBe(false);

    const presenceOnly = new SoftAuthenticator(RP.id, RP.origin, 0x01);
    const again = await passkeys.registrationOptions({ id: ALICE }, '@alice:example.org');
    expect(await passkeys.register(ALICE, presenceOnly.create(again), 'x')).toBe(false);
  });

  it('refuses what is not a credential at all, without throwing', async () => {
    const { passkeys } = setup();
    for (const junk of [
      '',
      'null',
      '[]',
      '{"id":1}',
      '{"id":"a","rawId":"a","type":"public-key","response":{}}',
    ])
      expect(await passkeys.register(ALICE, junk, 'x')).toBe(false);
    expect(await passkeys.authenticate({ kind: 'sign-in' }, '{')).toBeNull();
  });

  it('accepts an assertion as a second factor only for its user, once per challenge', async () => {
    const { passkeys, store } = setup();
    const device = await registered(passkeys);
    const options = await passkeys.authenticationOptions({ kind: 'second-factor', userId: ALICE });
    expect(JSON.parse(options)).toMatchObject({
      rpId: 'auth.example.org',
      userVerification: 'required',
      allowCredentials: [{ id: device.id, type: 'public-key' }],
    });
    const answer = device.get(options, ALICE);
    expect(await passkeys.authenticate({ kind: 'second-factor', userId: BOB }, answer)).toBeNull();
    const fresh = await passkeys.authenticationOptions({ kind: 'second-factor', userId: ALICE });
    expect(
      await passkeys.authenticate({ kind: 'second-factor', userId: ALICE }, device.get(fresh, ALICE)),
    ).toBe(ALICE);
    expect(
      await passkeys.authenticate({ kind: 'second-factor', userId: ALICE }, device.get(fresh, ALICE)),
    ).toBeNull();
    expect(store.rows.get(device.id)).toMatchObject({
      counter: 2,
      lastUsedAt: new Date('2026-12-06T08:00:00Z'),
    });
  });

  it('signs in with a discoverable passkey, refusing a challenge issued for something else', async () => {
    const { passkeys } = setup();
    const device = await registered(passkeys);
    const options = await passkeys.authenticationOptions({ kind: 'sign-in' });
    expect(JSON.parse(options)).not.toHaveProperty('allowCredentials');
    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(options, ALICE))).toBe(ALICE);

    const secondFactor = await passkeys.authenticationOptions({ kind: 'second-factor', userId: ALICE });
    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(secondFactor, ALICE))).toBeNull();
  });

  it('refuses a signature that does not verify, a foreign user handle, and a counter gone backwards', async () => {
    const { passkeys } = setup();
    const device = await registered(passkeys);
    const signIn = () => passkeys.authenticationOptions({ kind: 'sign-in' });

    const altered = JSON.parse(device.get(await signIn(), ALICE)) as { response: { signature: string } };
    altered.response.signature = Buffer.from('not a signature').toString('base64url');
    expect(await passkeys.authenticate({ kind: 'sign-in' }, JSON.stringify(altered))).toBeNull();

    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(await signIn(), BOB))).toBeNull();

    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(await signIn(), ALICE, 5))).toBe(
      ALICE,
    );
    // A clone still at an older count.
    device.counter = 1;
    expect(await passkeys.authenticate({ kind: 'sign-in' }, device.get(await signIn(), ALICE))).toBeNull();
  });

  it('renames and removes only the user’s own passkeys', async () => {
    const { passkeys, store } = setup();
    const device = await registered(passkeys);
    expect(await passkeys.rename(BOB, device.id, 'Mine now')).toBe(false);
    expect(await passkeys.rename(ALICE, device.id, 'Phone')).toBe(true);
    expect(store.rows.get(device.id)?.name).toBe('Phone');
    expect(await passkeys.remove(BOB, device.id)).toBe(false);
    expect(await passkeys.remove(ALICE, device.id)).toBe(true);
    expect(await passkeys.list(ALICE)).toEqual([]);
  });
});
