import { MatrixError } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { Authenticator, type AuthenticatorDeps } from './authenticator';
import { TokenCipher, hashToken } from './token-cipher';
import type { StoredToken, TokenStore } from './token-store';
import type { WhoamiResult } from './whoami-client';

const MIN = 60_000;
const ALICE: WhoamiResult = { ok: true, userId: '@alice:example.org', deviceId: 'ADEVICE' };
const cipher = TokenCipher.fromSecret('test secret');

/** A TokenStore over a Map, counting calls; verified_at comes from the test's clock. */
class MemoryStore implements TokenStore {
  readonly rows = new Map<string, StoredToken & { tokenEnc: Buffer }>();
  finds = 0;
  saves = 0;
  invalidations = 0;

  constructor(private readonly now: () => number) {}

  find(tokenHash: Buffer): Promise<StoredToken | null> {
    this.finds++;
    const row = this.rows.get(tokenHash.toString('hex'));
    return Promise.resolve(row === undefined ? null : { ...row });
  }

  save(tokenHash: Buffer, tokenEnc: Buffer, userId: string, deviceId: string): Promise<void> {
    this.saves++;
    const verifiedAt = new Date(this.now());
    this.rows.set(tokenHash.toString('hex'), { userId, deviceId, verifiedAt, invalid: false, tokenEnc });
    return Promise.resolve();
  }

  markInvalid(tokenHash: Buffer): Promise<void> {
    this.invalidations++;
    const row = this.rows.get(tokenHash.toString('hex'));
    if (row !== undefined) row.invalid = true;
    return Promise.resolve();
  }

  put(token: string, row: StoredToken): void {
    const hash = hashToken(token);
    this.rows.set(hash.toString('hex'), { ...row, tokenEnc: cipher.encrypt(token, hash) });
  }
}

/** A whoami that answers from a script (default: Alice), optionally held until released. */
class FakeWhoami {
  calls = 0;
  answer: WhoamiResult | Error = ALICE;
  private held: (() => void)[] | undefined;

  whoami(_token: string): Promise<WhoamiResult> {
    this.calls++;
    const answer = this.answer;
    const reply = (): Promise<WhoamiResult> =>
      answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    const held = this.held;
    if (held === undefined) return reply();
    return new Promise<void>((resolve) => held.push(resolve)).then(reply);
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }
}

function setup(overrides: Partial<AuthenticatorDeps> = {}) {
  let t = 1_700_000_000_000;
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
  const store = new MemoryStore(clock.now);
  const whoami = new FakeWhoami();
  const auth = new Authenticator({ store, whoami, cipher, clock: clock.now, ...overrides });
  return { auth, store, whoami, clock };
}

/** Lets background work (a revalidation and what follows it) run to completion. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

async function refusal(promise: Promise<unknown>): Promise<MatrixError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MatrixError)) throw new Error(`expected a MatrixError, got ${String(error)}`);
  return error;
}

describe('Authenticator.tokenFrom', () => {
  const { auth } = setup();

  it('reads a Bearer header, whatever the case of the scheme and the header name', () => {
    expect(auth.tokenFrom({ authorization: 'Bearer abc' }, {})).toBe('abc');
    expect(auth.tokenFrom({ authorization: 'bEaReR   abc ' }, {})).toBe('abc');
    expect(auth.tokenFrom({ Authorization: 'Bearer abc' }, {})).toBe('abc');
    expect(auth.tokenFrom({ authorization: ['Bearer abc'] }, {})).toBe('abc');
  });

  it('prefers the header to the query parameter', () => {
    expect(auth.tokenFrom({ authorization: 'Bearer h' }, { access_token: 'q' })).toBe('h');
  });

  it('falls back to access_token when there is no Bearer header', () => {
    expect(auth.tokenFrom({}, { access_token: 'q' })).toBe('q');
    expect(auth.tokenFrom({ authorization: 'Basic dXNlcjpwYXNz' }, { access_token: 'q' })).toBe('q');
  });

  it('finds nothing in an empty, malformed or repeated token', () => {
    expect(auth.tokenFrom({}, {})).toBeUndefined();
    expect(auth.tokenFrom({ authorization: 'Bearer' }, {})).toBeUndefined();
    expect(auth.tokenFrom({ authorization: 'Bearer a b' }, {})).toBeUndefined();
    expect(auth.tokenFrom({ authorization: ['Bearer a', 'Bearer b'] }, {})).toBeUndefined();
    expect(auth.tokenFrom({}, { access_token: '' })).toBeUndefined();
    expect(auth.tokenFrom({}, { access_token: ['a', 'b'] })).toBeUndefined();
  });
});

describe(Authenticator.name, () => {
  it('answers 401 M_MISSING_TOKEN without a token', async () => {
    const { auth, whoami } = setup();
    for (const token of [undefined, '']) {
      const error = await refusal(auth.authenticate(token));
      expect(error.status).toBe(401);
      expect(error.toBody()).toEqual({ errcode: 'M_MISSING_TOKEN', error: 'Missing access token' });
    }
    expect(whoami.calls).toBe(0);
  });

  it('refuses a token no homeserver would issue without asking anyone', async () => {
    const { auth, store, whoami } = setup();
    const error = await refusal(auth.authenticate('bad token\n'));
    expect(error.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(store.finds + whoami.calls).toBe(0);
  });

  it('verifies a new token upstream, stores it encrypted, and returns the identity', async () => {
    const { auth, store, whoami } = setup();
    const identity = await auth.authenticate('tok');
    const hash = hashToken('tok');
    expect(identity).toEqual({
      userId: '@alice:example.org',
      deviceId: 'ADEVICE',
      token: 'tok',
      tokenHash: hash,
    });
    expect(whoami.calls).toBe(1);
    const row = store.rows.get(hash.toString('hex'));
    expect(row?.userId).toBe('@alice:example.org');
    expect(cipher.decrypt(row?.tokenEnc ?? Buffer.alloc(0), hash)).toBe('tok');
  });

  it('serves repeat requests from memory', async () => {
    const { auth, store, whoami, clock } = setup();
    for (let i = 0; i < 50; i++) {
      await auth.authenticate('tok');
      clock.advance(1_000);
    }
    expect(whoami.calls).toBe(1);
    expect(store.finds).toBe(1);
  });

  it('shares one whoami between concurrent first requests', async () => {
    const { auth, store, whoami } = setup();
    whoami.hold();
    const pending = Array.from({ length: 10 }, () => auth.authenticate('tok'));
    await settle();
    whoami.release();
    const identities = await Promise.all(pending);
    expect(new Set(identities.map((i) => i.deviceId))).toEqual(new Set(['ADEVICE']));
    expect(whoami.calls).toBe(1);
    expect(store.finds).toBe(1);
    expect(store.saves).toBe(1);
  });

  it('trusts a fresh stored row without asking upstream', async () => {
    const { auth, store, whoami, clock } = setup();
    store.put('tok', {
      userId: '@bob:example.org',
      deviceId: 'BDEV',
      verifiedAt: new Date(clock.now()),
      invalid: false,
    });
    expect(await auth.authenticate('tok')).toMatchObject({ userId: '@bob:example.org', deviceId: 'BDEV' });
    expect(whoami.calls).toBe(0);
  });

  it('revalidates in the background once an entry is older than revalidateAfterMs', async () => {
    const { auth, store, whoami, clock } = setup();
    await auth.authenticate('tok');
    clock.advance(5 * MIN);
    whoami.hold();
    // Served at once from the cache while the one revalidation is still waiting on the homeserver.
    await auth.authenticate('tok');
    await auth.authenticate('tok');
    expect(whoami.calls).toBe(2);
    whoami.release();
    await settle();
    expect(store.saves).toBe(2);
    // Freshly verified: nothing more to ask for another five minutes.
    clock.advance(4 * MIN);
    await auth.authenticate('tok');
    expect(whoami.calls).toBe(2);
  });

  it('revalidates a stale stored row in the background', async () => {
    const { auth, store, whoami, clock } = setup();
    store.put('tok', {
      userId: '@alice:example.org',
      deviceId: 'ADEVICE',
      verifiedAt: new Date(clock.now() - 10 * MIN),
      invalid: false,
    });
    await auth.authenticate('tok');
    await settle();
    expect(whoami.calls).toBe(1);
    expect(store.saves).toBe(1);
  });

  it('turns a token away once a background revalidation finds it dead', async () => {
    const { auth, store, whoami, clock } = setup();
    await auth.authenticate('tok');
    clock.advance(6 * MIN);
    whoami.answer = {
      ok: false,
      kind: 'unknown-token',
      softLogout: false,
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'gone',
    };
    await auth.authenticate('tok'); // still served: the answer is not in yet
    await settle();
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(401);
    expect(error.toBody()).toEqual({
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'Invalid access token passed.',
      soft_logout: false,
    });
    expect(store.invalidations).toBe(1);
    expect(store.rows.get(hashToken('tok').toString('hex'))?.invalid).toBe(true);
    expect(whoami.calls).toBe(2);
  });

  it('keeps serving when a background revalidation cannot reach the homeserver', async () => {
    const { auth, whoami, clock } = setup();
    await auth.authenticate('tok');
    clock.advance(6 * MIN);
    whoami.answer = { ok: false, kind: 'unreachable', reason: 'down' };
    await auth.authenticate('tok');
    await settle();
    whoami.answer = new Error('thrown');
    await auth.authenticate('tok');
    await settle();
    expect(await auth.authenticate('tok')).toMatchObject({ deviceId: 'ADEVICE' });
  });

  it('waits for a new verification once an entry is older than maxAgeMs', async () => {
    const { auth, whoami, clock } = setup();
    await auth.authenticate('tok');
    clock.advance(60 * MIN);
    whoami.answer = { ok: false, kind: 'unreachable', reason: 'down' };
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(502);
    expect(error.toBody()).toEqual({ errcode: 'M_UNKNOWN', error: 'The homeserver could not be reached' });
    whoami.answer = {
      ok: false,
      kind: 'unknown-token',
      softLogout: false,
      errcode: 'M_UNKNOWN_TOKEN',
      error: '',
    };
    expect((await refusal(auth.authenticate('tok'))).errcode).toBe('M_UNKNOWN_TOKEN');
  });

  it('waits for a new verification of a stored row older than maxAgeMs', async () => {
    const { auth, store, whoami, clock } = setup();
    store.put('tok', {
      userId: '@alice:example.org',
      deviceId: 'ADEVICE',
      verifiedAt: new Date(clock.now() - 2 * 60 * MIN),
      invalid: false,
    });
    whoami.answer = { ok: false, kind: 'unreachable', reason: 'down' };
    expect((await refusal(auth.authenticate('tok'))).status).toBe(502);
  });

  it('refuses a row marked invalid without asking upstream, and remembers it', async () => {
    const { auth, store, whoami, clock } = setup();
    store.put('tok', {
      userId: '@alice:example.org',
      deviceId: 'ADEVICE',
      verifiedAt: new Date(clock.now()),
      invalid: true,
    });
    for (let i = 0; i < 3; i++) {
      const error = await refusal(auth.authenticate('tok'));
      expect(error.toBody()).toEqual({
        errcode: 'M_UNKNOWN_TOKEN',
        error: 'Invalid access token passed.',
        soft_logout: false,
      });
    }
    expect(whoami.calls).toBe(0);
    expect(store.finds).toBe(1);
  });

  it('passes on soft_logout, and keeps saying it rather than recording the token as dead', async () => {
    const { auth, store, whoami } = setup();
    whoami.answer = {
      ok: false,
      kind: 'unknown-token',
      softLogout: true,
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'expired',
    };
    for (let i = 0; i < 2; i++) {
      const error = await refusal(auth.authenticate('tok'));
      expect(error.status).toBe(401);
      expect(error.toBody()).toEqual({
        errcode: 'M_UNKNOWN_TOKEN',
        error: 'Invalid access token passed.',
        soft_logout: true,
      });
    }
    expect(whoami.calls).toBe(1);
    expect(store.invalidations).toBe(0);
  });

  it("keeps upstream's M_MISSING_TOKEN", async () => {
    const { auth, whoami } = setup();
    whoami.answer = {
      ok: false,
      kind: 'unknown-token',
      softLogout: false,
      errcode: 'M_MISSING_TOKEN',
      error: '',
    };
    expect((await refusal(auth.authenticate('tok'))).errcode).toBe('M_MISSING_TOKEN');
  });

  it('treats a 403 for a deactivated user as a dead token', async () => {
    const { auth, store, whoami } = setup();
    whoami.answer = {
      ok: false,
      kind: 'forbidden',
      softLogout: false,
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'deactivated',
    };
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(401);
    expect(error.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(store.invalidations).toBe(1);
  });

  it('passes on another 403 without recording the token as dead', async () => {
    const { auth, store, whoami } = setup();
    whoami.answer = {
      ok: false,
      kind: 'forbidden',
      softLogout: false,
      errcode: 'M_FORBIDDEN',
      error: 'Not allowed',
    };
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(403);
    expect(error.toBody()).toEqual({ errcode: 'M_FORBIDDEN', error: 'Not allowed' });
    expect(store.invalidations).toBe(0);
  });

  it('remembers a refusal that may change (a 403, a soft logout) for half a minute only', async () => {
    const { auth, whoami, clock } = setup();
    whoami.answer = {
      ok: false,
      kind: 'forbidden',
      softLogout: false,
      errcode: 'M_FORBIDDEN',
      error: 'later',
    };
    await refusal(auth.authenticate('tok'));
    await refusal(auth.authenticate('tok'));
    expect(whoami.calls).toBe(1);
    whoami.answer = ALICE;
    clock.advance(31_000);
    await expect(auth.authenticate('tok')).resolves.toMatchObject({ userId: ALICE.userId });
    expect(whoami.calls).toBe(2);
  });

  it('refuses a token without a device', async () => {
    const { auth, store, whoami } = setup();
    whoami.answer = { ok: false, kind: 'no-device', userId: '@bridge:example.org' };
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(401);
    expect(error.toBody()).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', error: 'Access token has no device' });
    expect(store.saves + store.invalidations).toBe(0);
  });

  it('answers 502 when the homeserver cannot be reached, and asks again next time', async () => {
    const { auth, store, whoami } = setup();
    whoami.answer = { ok: false, kind: 'unreachable', reason: 'ECONNREFUSED' };
    const error = await refusal(auth.authenticate('tok'));
    expect(error.status).toBe(502);
    expect(error.errcode).toBe('M_UNKNOWN');
    whoami.answer = new Error('thrown');
    expect((await refusal(auth.authenticate('tok'))).status).toBe(502);
    whoami.answer = ALICE;
    expect(await auth.authenticate('tok')).toMatchObject({ deviceId: 'ADEVICE' });
    expect(whoami.calls).toBe(3);
    expect(store.saves).toBe(1);
  });

  it('still refuses a dead token when recording it fails', async () => {
    const { auth, store, whoami } = setup();
    store.markInvalid = () => Promise.reject(new Error('db down'));
    whoami.answer = {
      ok: false,
      kind: 'unknown-token',
      softLogout: false,
      errcode: 'M_UNKNOWN_TOKEN',
      error: '',
    };
    expect((await refusal(auth.authenticate('tok'))).status).toBe(401);
  });

  it('holds at most cacheSize identities', async () => {
    const { auth, store, whoami } = setup({ cacheSize: 2 });
    await auth.authenticate('a');
    await auth.authenticate('b');
    await auth.authenticate('c'); // pushes 'a' out
    expect(store.finds).toBe(3);
    await auth.authenticate('c');
    await auth.authenticate('b');
    expect(store.finds).toBe(3);
    await auth.authenticate('a'); // back from the store, not from upstream
    expect(store.finds).toBe(4);
    expect(whoami.calls).toBe(3);
  });

  it('forgets a token on request, so its next use reads the store', async () => {
    const { auth, store } = setup();
    await auth.authenticate('tok');
    await store.markInvalid(hashToken('tok'));
    auth.forget(hashToken('tok'));
    expect((await refusal(auth.authenticate('tok'))).errcode).toBe('M_UNKNOWN_TOKEN');
    expect(store.finds).toBe(2);
  });

  it('refuses revalidateAfterMs beyond maxAgeMs', () => {
    expect(() => setup({ revalidateAfterMs: 2 * MIN, maxAgeMs: MIN })).toThrow(RangeError);
  });
});
