import { MatrixError } from '@gateway/matrix';
import { systemClock, type Clock } from '@gateway/util';
import type { SyncStore } from '@gateway/sync-data';
import type { Authenticator } from '../auth/authenticator';
import type { Identity } from '../auth/token-store';
import type { ComputeResult, SlidingSyncEngine } from './sliding-sync-engine';
import type { SyncResponse } from './protocol/sync-response';
import type { Translation } from './translation';
import type { SyncQuery } from './protocol/sync-request';
import { formatPos, parseSyncQuery } from './protocol/parse-query';
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

/** The latest answer of one connection, for its client's next long-poll (see `SyncService.sync`). */
interface LastAnswer {
  signature: string;
  pos: string;
  toSeq: number;
  /** The user's rooms then (the engine's shared set: not copied). */
  roomIds: ReadonlySet<string>;
  at: number;
}

/**
 * How long an answer stays a long-poll's starting point. A client long-polls again as soon as it has an
 * answer; one that comes back later computes, so an entry never outlives the recent wake messages the
 * wait checks for what happened since (or a connection that was pruned meanwhile).
 */
const LAST_ANSWER_TTL_MS = 60_000;

/** Connections remembered for the long-poll shortcut: ~200 bytes each, so at most ~20 MB. */
const LAST_ANSWERS = 100_000;

function connectionKey(identity: Identity, translation: Translation): string {
  return JSON.stringify([identity.userId, identity.deviceId, translation.protocol, translation.connId]);
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
    const key = connectionKey(identity, translation);
    const signature = translation.signature?.();
    const last = this.lastAnswers.get(key);
    if (
      last !== undefined &&
      q.pos !== undefined &&
      q.timeoutMs > 0 &&
      signature !== undefined &&
      last.signature === signature &&
      last.pos === formatPos(q.pos) &&
      this.now() - last.at < LAST_ANSWER_TTL_MS
    ) {
      // The long-poll of an idle client: this request's answer is the one just given (same connection,
      // position and request), as of `toSeq`, so it waits for news from there at once; anything after
      // `toSeq` (or a lost message) ends the wait, and the answer is then computed as always.
      const seq = await waiters.wait(identity.userId, last.roomIds, last.toSeq, q.timeoutMs, signal);
      woken = seq === undefined || timings === undefined ? undefined : { seq, at: timings.now() };
      identity = await auth.authenticate(token);
    }
    for (;;) {
      const result = await engine.compute(identity, q, translation).catch((err: unknown) => {
        // The connection may be gone (M_UNKNOWN_POS): the next request must find that out at once.
        this.lastAnswers.delete(key);
        throw err;
      });
      this.remember(key, signature, result);
      const remaining = deadline - this.now();
      if (result.answer && woken !== undefined) timings?.answered(woken.seq, woken.at);
      if (result.answer || remaining <= 0 || signal.aborted) return result.response;
      const seq = await waiters.wait(identity.userId, result.roomIds, result.toSeq, remaining, signal);
      woken = seq === undefined || timings === undefined ? undefined : { seq, at: timings.now() };
      // The token may have been rejected upstream while this request waited.
      identity = await auth.authenticate(token);
    }
  }

  /** What the latest computation of each connection answered, newest last (at most LAST_ANSWERS). */
  private readonly lastAnswers = new Map<string, LastAnswer>();

  private remember(key: string, signature: string | undefined, result: ComputeResult): void {
    this.lastAnswers.delete(key);
    if (signature === undefined) return;
    this.lastAnswers.set(key, {
      signature,
      pos: result.response.pos,
      toSeq: result.toSeq,
      roomIds: result.roomIds,
      at: this.now(),
    });
    if (this.lastAnswers.size > LAST_ANSWERS) {
      const oldest = this.lastAnswers.keys().next();
      if (oldest.done !== true) this.lastAnswers.delete(oldest.value);
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
