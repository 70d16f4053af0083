import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SyncStore } from '@gateway/sync-data';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenCipher } from '../auth/token-cipher';
import { PollerPool } from './poller-pool';

const ALICE = { userId: '@alice:hs', deviceId: 'DEV', token: 'syt_alice', tokenHash: Buffer.from('hash') };

/** A homeserver that takes every /sync and never answers: a poller stays in its first sync. */
async function silentHomeserver(): Promise<{ url: string; syncs: () => number; close: () => Promise<void> }> {
  let syncs = 0;
  const server: Server = createServer((req) => {
    if (req.url?.startsWith('/_matrix/client/v3/sync') === true) syncs += 1;
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    syncs: () => syncs,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => {
          done();
        });
      }),
  };
}

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
    const hs = await silentHomeserver();
    cleanups.push(hs.close);
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

    // The poller is still there, in its one first sync.
    expect(pool.size).toBe(1);
    expect(hs.syncs()).toBe(1);
  });
});
