import { MatrixError } from '@gateway/matrix';
import { systemClock, type Clock } from '@gateway/util';
import type { SyncStore } from '@gateway/sync-data';
import type { Authenticator } from '../auth/authenticator';
import type { Identity } from '../auth/token-store';
import type { SlidingSyncEngine } from './sliding-sync-engine';
import type { SyncResponse } from './protocol/sync-response';
import type { Translation } from './translation';
import type { SyncQuery } from './protocol/sync-request';
import { parseSyncQuery } from './protocol/parse-query';
import type { PollerPool } from '../poller/poller-pool';
import type { WaiterIndex } from '../wake/waiter-index';
import type { DeliveryTimings } from '../wake/delivery-timings';

export interface SyncServiceDeps {
  auth: Authenticator;
  engine: SlidingSyncEngine;
  pollers: PollerPool;
  waiters: WaiterIndex;
  store: SyncStore;
  /** Times answers woken by a batch this replica stored (the proxy's own part of a delivery). */
  timings?: DeliveryTimings;
  /** The database is connected and migrated. */
  ready: () => boolean;
  /** How long a request for a never-polled device waits for its first upstream sync. */
  firstSyncWaitMs?: number;
  /** Decides when a long-poll's deadline has passed. */
  clock?: Clock;
}

/**
 * The read path behind every sync endpoint: authenticate, parse, make sure the device is polled, then
 * compute; a continuing connection with nothing new waits (long-poll) for a wake-up or its timeout.
 */
export class SyncService {
  private readonly now: Clock;

  constructor(private readonly deps: SyncServiceDeps) {
    this.now = deps.clock ?? systemClock;
  }

  /**
   * One sync request at an edge endpoint; `translate` (called after authentication, so a bad body from
   * an unauthenticated client is still a 401) gives the endpoint's protocol.
   */
  async sync(
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
    signal: AbortSignal,
    translate: (identity: Identity) => Translation,
    defaultTimeoutMs: number,
    queryInBody = false,
  ): Promise<SyncResponse> {
    const { auth, engine, pollers, waiters } = this.deps;
    if (!this.deps.ready()) throw new MatrixError('M_UNKNOWN', 'The sync proxy is starting', { status: 503 });
    const token = auth.tokenFrom(headers, query);
    let identity = await auth.authenticate(token);
    // The query string is checked before the body (Synapse's order), unless the body carries pos/timeout.
    let q: SyncQuery | undefined;
    if (!queryInBody) {
      const parsed = parseSyncQuery(query);
      q = query['timeout'] === undefined ? { ...parsed, timeoutMs: defaultTimeoutMs } : parsed;
    }
    const translation = translate(identity);
    if (q === undefined) {
      if (translation.query === undefined) throw new TypeError('A body-query translation must give query()');
      q = translation.query();
    }
    const { since, roomsReady } = await pollers.ensure(identity);
    // A known user's new device (a login) is answered from stored rooms at once; only a user nobody
    // polled yet waits for the first upstream sync.
    if (since === null && !roomsReady) await this.waitForFirstSync(identity, signal);
    // The first upstream sync may have been refused: that is the client's answer, not an empty one.
    if (since === null) identity = await auth.authenticate(token);

    const deadline = this.now() + q.timeoutMs;
    const timings = this.deps.timings;
    let woken: { seq: number; at: number } | undefined;
    for (;;) {
      const result = await engine.compute(identity, q, translation);
      const remaining = deadline - this.now();
      if (result.answer && woken !== undefined) timings?.answered(woken.seq, woken.at);
      if (result.answer || remaining <= 0 || signal.aborted) return result.response;
      const seq = await waiters.wait(identity.userId, result.roomIds, result.toSeq, remaining, signal);
      woken = seq === undefined || timings === undefined ? undefined : { seq, at: timings.now() };
      // The token may have been rejected upstream while this request waited.
      identity = await auth.authenticate(token);
    }
  }

  /**
   * A device nobody polled yet has nothing stored; its first upstream sync is a reduced one (recent
   * events only, lazy members, no presence), so waiting a little for it beats an empty answer.
   */
  private async waitForFirstSync(identity: Identity, signal: AbortSignal): Promise<void> {
    const deadline = this.now() + (this.deps.firstSyncWaitMs ?? 20_000);
    while (this.now() < deadline && !signal.aborted) {
      if ((await this.deps.store.devices.since(identity.userId, identity.deviceId)) !== null) return;
      if (!(await this.deps.store.devices.isPolled(identity.userId, identity.deviceId))) return;
      // From the latest position heard of: news from before it would otherwise end the wait at once.
      await this.deps.waiters.wait(
        identity.userId,
        new Set(),
        this.deps.waiters.position,
        Math.min(250, deadline - this.now()),
        signal,
      );
    }
  }
}
