import type { SyncStore } from '@gateway/sync-data';
import { FakeHomeserver } from '@gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenCipher } from '../auth/token-cipher';
import { PollerPool } from './poller-pool';

const ALICE = { userId: '@alice:hs', deviceId: 'DEV', token: 'syt_alice', tokenHash: Buffer.from('hash') };

/** What the pool asks of the device rows, with the lease renewal held until `answerRenewal`. */
function storeWithSlowRenewal() {
  let answerRenewal: (held: { userId: string; deviceId: string; tokenHash: Buffer }[]) => void = () => {
    throw new Error('no renewal in flight');
  };
  let renewalSent: () => void = () => undefined;
  const renewalInFlight = new Promise<void>((r) => (renewalSent = r));
  const store = {
    devices: {
      touch: () => Promise.resolve({ since: null, pollState: 'active', owner: null, leaseLive: false }),
      userHasLivePoller: () => Promise.resolve(false),
      claim: () => Promise.resolve({ ...ALICE, since: null }),
      renew: () =>
        new Promise((resolve) => {
          answerRenewal = resolve;
          renewalSent();
        }),
      markIdle: () => Promise.resolve(),
      claimOrphans: () => Promise.resolve([]),
      release: () => Promise.resolve(),
      releaseAll: () => Promise.resolve(),
      recordPollError: () => Promise.resolve(),
    },
  } as unknown as SyncStore;
  return {
    store,
    renewalInFlight,
    answerRenewal: (held: []) => {
      answerRenewal(held);
    },
  };
}

describe(PollerPool.name, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps a poller that a client started while a lease renewal was in flight', async () => {
    // It holds a sync it has nothing for: the poller stays in its first sync.
    const hs = await FakeHomeserver.start({ minHoldMs: 60_000 });
    cleanups.push(() => hs.stop());
    hs.addAccount(ALICE.token, ALICE.userId, ALICE.deviceId);
    const { store, renewalInFlight, answerRenewal } = storeWithSlowRenewal();
    const pool = new PollerPool({
      store,
      cipher: {} as TokenCipher,
      upstream: hs.url,
      owner: 'replica-1',
      onBatch: () => undefined,
      onTokenInvalid: () => undefined,
      renewEveryMs: 5,
    });
    pool.start();
    cleanups.push(() => pool.stop());

    // The renewal's query is out (it holds no lease yet); the client's request claims the device and
    // starts its poller; then the renewal answers with what it saw: nothing.
    await renewalInFlight;
    expect(await pool.ensure(ALICE)).toEqual({ since: null, roomsReady: false });
    expect(pool.size).toBe(1);
    answerRenewal([]);
    await new Promise((r) => setTimeout(r, 50));

    // The poller is still there, in its one first sync (a stopped one aborts it).
    expect(pool.size).toBe(1);
    expect(hs.syncsOf(ALICE.token).map((r) => [r.since, r.outcome])).toEqual([[undefined, 'pending']]);
  });
});
