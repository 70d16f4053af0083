import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncStore } from '@gateway/sync-data';
import type { Authenticator } from '../auth/authenticator';
import type { Identity } from '../auth/token-store';
import type { PollerPool } from '../poller/poller-pool';
import type { SyncQuery } from '../sliding-sync/protocol/sync-request';
import type { ComputeResult, SlidingSyncEngine } from '../sliding-sync/sliding-sync-engine';
import { SyncService } from '../sliding-sync/sync-service';
import { InProcessTransport } from '../wake/wake-bus';
import { WaiterIndex } from '../wake/waiter-index';
import type { PresenceReporter } from './presence-reporter';
import { SyncController } from './sync.controller';

// Each endpoint's default long-poll when the request names no `timeout`: the legacy MSC3575 endpoint
// waits 10 s (the Go proxy's default, README), MSC4186's endpoints answer at once. The controller runs
// on the real SyncService and WaiterIndex under fake timers, so the 10 s cost nothing; only the engine
// is a stub, which always finds nothing new on a continuing connection.
describe('SyncController default timeouts', () => {
  const identity: Identity = { userId: '@u:hs', deviceId: 'DEV', token: 'tok', tokenHash: Buffer.alloc(32) };
  let waiters: WaiterIndex;
  let queries: SyncQuery[];
  let controller: SyncController;

  beforeEach(() => {
    vi.useFakeTimers();
    queries = [];
    waiters = new WaiterIndex(new InProcessTransport(), () => Promise.resolve(0));
    const engine = {
      compute: (_identity: Identity, q: SyncQuery): Promise<ComputeResult> => {
        queries.push(q);
        return Promise.resolve({
          response: { pos: String(queries.length + 1), lists: {}, rooms: {}, extensions: {} },
          // Nothing new on a continuing connection: only a new one is worth answering at once.
          answer: q.pos === undefined,
          roomIds: new Set<string>(),
          toSeq: 0,
        });
      },
    } as unknown as SlidingSyncEngine;
    const service = new SyncService({
      auth: {
        tokenFrom: () => identity.token,
        authenticate: () => Promise.resolve(identity),
      } as unknown as Authenticator,
      engine,
      pollers: { ensure: () => Promise.resolve({ since: 's1', roomsReady: true }) } as unknown as PollerPool,
      waiters,
      store: {} as SyncStore,
      ready: () => true,
    });
    controller = new SyncController(service, { report: () => undefined } as unknown as PresenceReporter);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const request = (query: Record<string, string>, body: unknown) => {
    const req = {
      headers: { authorization: `Bearer ${identity.token}` },
      query,
      body,
    } as unknown as FastifyRequest;
    const reply = {
      raw: Object.assign(new EventEmitter(), { writableFinished: false }),
    } as unknown as FastifyReply;
    return [req, reply] as const;
  };
  /** Whether `p` settles within `ms` of fake time. */
  const settledWithin = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(ms);
    return done;
  };

  it('the legacy MSC3575 endpoint long-polls 10 s when the request names no timeout, then answers empty', async () => {
    const answer = controller.legacy(...request({ pos: '1' }, { lists: { all: { ranges: [[0, 9]] } } }));
    expect(await settledWithin(answer, 9_999)).toBe(false);
    // Waiting for news on the waiter index, not computing in a loop.
    expect(waiters.size).toBe(1);
    expect(queries.map((q) => q.timeoutMs)).toEqual([10_000]);
    expect(await settledWithin(answer, 1)).toBe(true);
    expect(waiters.size).toBe(0);
    expect(await answer).toEqual({ pos: '3', lists: {}, rooms: {}, extensions: {} });
  });

  it('the legacy endpoint answers at once when the request says timeout=0', async () => {
    const answer = controller.legacy(...request({ pos: '1', timeout: '0' }, {}));
    expect(await settledWithin(answer, 0)).toBe(true);
    expect(queries.map((q) => q.timeoutMs)).toEqual([0]);
  });

  it('the MSC4186 endpoints answer at once when the request names no timeout', async () => {
    const unstable = controller.sync(
      ...request(
        { pos: '1' },
        { lists: { all: { ranges: [[0, 9]], timeline_limit: 1, required_state: [] } } },
      ),
    );
    expect(await settledWithin(unstable, 0)).toBe(true);
    const stable = controller.stable(...request({}, { pos: '1' }));
    expect(await settledWithin(stable, 0)).toBe(true);
    expect(queries.map((q) => q.timeoutMs)).toEqual([0, 0]);
    expect(waiters.size).toBe(0);
  });
});
