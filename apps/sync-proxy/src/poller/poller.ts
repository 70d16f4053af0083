import type { LoggerService } from '@nestjs/common';
import {
  LeaseLostError,
  type AppliedBatch,
  type MembershipOfRoom,
  type SyncStore,
  type V2Batch,
} from '@gateway/sync-data';
import { accumulate, membershipOf, v2Filter } from './accumulate';
import { backoffMs } from './backoff';
import { bumpsRoom } from './bump-types';
import type { Clock, Semaphore } from '@gateway/util';
import { parseStorableJson } from './json-guards';
import { pollLagSeconds } from './poll-lag';
import { upstreamText } from '@gateway/http';

// A JSON text cannot outgrow V8's longest string (~512 MiB) anyway; the cap makes that a clean failure.
const MAX_SYNC_BODY_BYTES = 512 * 1024 * 1024;

export interface PollerDeps {
  store: SyncStore;
  upstream: string;
  owner: string;
  log: LoggerService;
  /** Receive time: a bump's timestamp is clamped to it. */
  clock: Clock;
  /** `receivedAt`: when the response body was in hand (`performance.now()`), for DeliveryTimings. */
  onBatch: (applied: AppliedBatch, receivedAt: number) => void;
  /** A stored live batch with timeline events: seconds from its newest event's creation to receipt. */
  observeLag?: (seconds: number) => void;
  /** The homeserver rejected the token: the pool stops this device and forgets the token. */
  onUnauthorized: (poller: Poller, softLogout: boolean) => Promise<void>;
  onStopped: (poller: Poller) => void;
  /** Timeline events per room a first sync brings. */
  initialTimelineLimit: number;
  liveTimelineLimit: number;
  pollTimeoutMs: number;
  /** Bounds concurrent first syncs (the big ones) per replica: memory, and the homeserver's load. */
  initialSyncs: Semaphore;
}

/**
 * One upstream `/sync` v2 long-poll loop for one device. Each response is stored in one transaction
 * that also advances `since` (compare-and-set under this replica's lease), so a crash between polls
 * repeats the last poll instead of losing or duplicating anything.
 */
export class Poller {
  private stopped = false;
  private readonly abort = new AbortController();
  private failures = 0;
  readonly done: Promise<void>;

  constructor(
    readonly userId: string,
    readonly deviceId: string,
    public token: string,
    public tokenHash: Buffer,
    private since: string | null,
    private readonly deps: PollerDeps,
    /** Another device of the user is polled: its rooms are stored, so this one's first sync skips them. */
    private readonly roomsKnown = false,
  ) {
    this.done = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    return this.done;
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped) {
        const delay = backoffMs(this.failures);
        if (delay > 0) await this.sleep(delay);
        if (this.abort.signal.aborted) break;
        const heavy = this.since === null && !this.roomsKnown;
        await (heavy ? this.deps.initialSyncs.run(() => this.pollOnce()) : this.pollOnce());
      }
    } finally {
      this.deps.onStopped(this);
    }
  }

  private async pollOnce(): Promise<void> {
    const initial = this.since === null;
    const url = new URL(`${this.deps.upstream}/_matrix/client/v3/sync`);
    url.searchParams.set(
      'filter',
      initial && this.roomsKnown
        ? // A second device needs only what is per device (to-device, keys) and a since to go on from.
          JSON.stringify({ presence: { not_types: ['*'] }, room: { rooms: [] } })
        : v2Filter({
            initial,
            timelineLimit: initial ? this.deps.initialTimelineLimit : this.deps.liveTimelineLimit,
          }),
    );
    url.searchParams.set('set_presence', 'offline');
    url.searchParams.set('timeout', initial ? '0' : String(this.deps.pollTimeoutMs));
    if (this.since !== null) url.searchParams.set('since', this.since);
    let body: unknown;
    let receivedAt: number;
    try {
      const res = await upstreamText(url, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: this.abort.signal,
        timeoutMs: initial ? 30 * 60_000 : this.deps.pollTimeoutMs + 60_000,
        maxBodyBytes: MAX_SYNC_BODY_BYTES,
      });
      receivedAt = performance.now();
      if (res.status === 401) {
        // soft_logout: the session can be refreshed, so the client must hear it as such.
        const softLogout = parseSoftLogout(res.body);
        this.stopped = true;
        await this.deps.onUnauthorized(this, softLogout);
        return;
      }
      if (!res.ok) {
        this.fail(`upstream answered ${res.status}`);
        return;
      }
      body = parseStorableJson(res.body);
    } catch (err) {
      if (this.stopped) return;
      this.fail(err instanceof Error ? err.message : String(err));
      return;
    }
    let batch: V2Batch;
    try {
      batch = accumulate(body);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
      return;
    }
    try {
      const applied = await this.deps.store.batches.apply({
        userId: this.userId,
        deviceId: this.deviceId,
        owner: this.deps.owner,
        since: this.since,
        batch,
        memberships: membershipsOf(batch, this.userId),
        bumps: bumpsRoom,
        now: this.deps.clock(),
      });
      this.since = batch.nextBatch;
      this.failures = 0;
      this.deps.onBatch(applied, receivedAt);
      // Once stored: a batch that failed to store is fetched again, and would count twice.
      const lag = pollLagSeconds(batch, initial, performance.timeOrigin + receivedAt);
      if (lag !== undefined) this.deps.observeLag?.(lag);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.deps.log.log({
          msg: 'poller lease lost; stopping',
          userId: this.userId,
          deviceId: this.deviceId,
        });
        this.stopped = true;
        return;
      }
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  private fail(reason: string): void {
    this.failures++;
    this.deps.log.warn({
      msg: 'poll failed',
      userId: this.userId,
      deviceId: this.deviceId,
      failures: this.failures,
      reason,
    });
    // For the admin API's poller list; a failure to record is no reason to stop polling.
    this.deps.store.devices
      .recordPollError(this.userId, this.deviceId, this.deps.owner, reason)
      .catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}

function membershipsOf(batch: V2Batch, userId: string): Map<string, MembershipOfRoom> {
  const out = new Map<string, MembershipOfRoom>();
  for (const delta of batch.rooms) {
    const membership = membershipOf(delta, userId);
    const own = [...delta.timeline.events, ...delta.state]
      .filter((e) => e.type === 'm.room.member' && e.state_key === userId)
      .pop();
    out.set(delta.roomId, { membership, bySelf: own === undefined || own.sender === userId });
  }
  return out;
}

function parseSoftLogout(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return (
      typeof body === 'object' && body !== null && (body as { soft_logout?: unknown }).soft_logout === true
    );
  } catch {
    return false;
  }
}
