import { MatrixError } from '@gateway/matrix';
import type { SyncStore } from '@gateway/sync-data';
import type { Authenticator } from '../auth/authenticator';
import type { Identity } from '../auth/token-store';
import { LegacySource } from '../legacy/legacy-source';
import { plainRequest, type RequestSource, type SlidingSyncEngine } from '../engine/sliding-sync-engine';
import type { SyncResponse } from '../engine/sync-response';
import { parseSyncQuery } from '../request/parse-query';
import { parseSyncBody } from '../request/parse-sync-body';
import type { PollerPool } from '../poller/poller-pool';
import type { WaiterIndex } from '../wake/waiter-index';

/** The Go proxy's default long-poll for MSC3575 clients that send no timeout. */
const LEGACY_DEFAULT_TIMEOUT_MS = 10_000;

export interface SyncServiceDeps {
  auth: Authenticator;
  engine: SlidingSyncEngine;
  pollers: PollerPool;
  waiters: WaiterIndex;
  store: SyncStore;
  /** The database is connected and migrated. */
  ready: () => boolean;
  /** How long a request for a never-polled device waits for its first upstream sync. */
  firstSyncWaitMs?: number;
}

/**
 * One `POST …/simplified_msc3575/sync`: authenticate, parse, make sure the device is polled, then
 * compute; a continuing connection with nothing new waits (long-poll) for a wake-up or its timeout.
 */
export class SyncService {
  constructor(private readonly deps: SyncServiceDeps) {}

  /** MSC4186, `…/org.matrix.simplified_msc3575/sync`. */
  handle(
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
    body: unknown,
    signal: AbortSignal,
  ): Promise<SyncResponse> {
    return this.run(headers, query, signal, () => plainRequest(parseSyncBody(body)), 0);
  }

  /** MSC3575, `…/org.matrix.msc3575/sync`: sticky parameters, list operations, a 10 s default timeout. */
  handleLegacy(
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
    body: unknown,
    signal: AbortSignal,
  ): Promise<SyncResponse> {
    return this.run(headers, query, signal, () => new LegacySource(body), LEGACY_DEFAULT_TIMEOUT_MS);
  }

  private async run(
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
    signal: AbortSignal,
    makeSource: () => RequestSource,
    defaultTimeoutMs: number,
  ): Promise<SyncResponse> {
    const { auth, engine, pollers, waiters } = this.deps;
    if (!this.deps.ready()) throw new MatrixError('M_UNKNOWN', 'The sync proxy is starting', { status: 503 });
    const token = auth.tokenFrom(headers, query);
    let identity = await auth.authenticate(token);
    const parsed = parseSyncQuery(query);
    const q = query['timeout'] === undefined ? { ...parsed, timeoutMs: defaultTimeoutMs } : parsed;
    const source = makeSource();
    const { since, roomsReady } = await pollers.ensure(identity);
    // A known user's new device (a login) is answered from stored rooms at once; only a user nobody
    // polled yet waits for the first upstream sync.
    if (since === null && !roomsReady) await this.waitForFirstSync(identity, signal);
    // The first upstream sync may have been refused: that is the client's answer, not an empty one.
    if (since === null) identity = await auth.authenticate(token);

    const deadline = Date.now() + q.timeoutMs;
    for (;;) {
      const result = await engine.compute(identity, q, source);
      const remaining = deadline - Date.now();
      if (result.answer || remaining <= 0 || signal.aborted) return result.response;
      await waiters.wait(identity.userId, result.roomIds, result.toSeq, remaining, signal);
      // The token may have been rejected upstream while this request waited.
      identity = await auth.authenticate(token);
    }
  }

  /**
   * A device nobody polled yet has nothing stored; its first upstream sync is a reduced one (recent
   * events only, lazy members, no presence), so waiting a little for it beats an empty answer.
   */
  private async waitForFirstSync(identity: Identity, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.deps.firstSyncWaitMs ?? 20_000);
    while (Date.now() < deadline && !signal.aborted) {
      if ((await this.deps.store.devices.since(identity.userId, identity.deviceId)) !== null) return;
      if (!(await this.deps.store.devices.isPolled(identity.userId, identity.deviceId))) return;
      await this.deps.waiters.wait(
        identity.userId,
        new Set(),
        0,
        Math.min(250, deadline - Date.now()),
        signal,
      );
    }
  }
}
