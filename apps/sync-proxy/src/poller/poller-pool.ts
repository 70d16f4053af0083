import { Logger } from '@nestjs/common';
import type { AppliedBatch, SyncStore } from '@gateway/sync-data';
import type { Identity } from '../auth/token-store';
import type { TokenCipher } from '../auth/token-cipher';
import { LruCache, Semaphore, systemClock, type Clock } from '@gateway/util';
import { Poller } from './poller';

/** First syncs are the heavy ones (every room at once); a few at a time keeps memory bounded. */
const MAX_CONCURRENT_INITIAL_SYNCS = 4;
/** How often a busy device's row is touched (its last use, for idle detection, is kept to this precision). */
const TOUCH_EVERY_MS = 60_000;

export interface PollerPoolOptions {
  store: SyncStore;
  cipher: TokenCipher;
  upstream: string;
  /** This replica's id in lease rows. */
  owner: string;
  /** `receivedAt`: when the response body was in hand (`performance.now()`). */
  onBatch: (applied: AppliedBatch, receivedAt: number) => void;
  /** Each live batch's lag behind the homeserver, in seconds (see `pollLagSeconds`). */
  observeLag?: (seconds: number) => void;
  onTokenInvalid: (tokenHash: Buffer, userId: string) => void;
  leaseMs?: number;
  renewEveryMs?: number;
  /** Devices nobody synced for this long stop being polled. */
  idleAfterMs?: number;
  initialTimelineLimit?: number;
  liveTimelineLimit?: number;
  pollTimeoutMs?: number;
  clock?: Clock;
}

/**
 * This replica's pollers. Every device is polled by exactly one replica: the one holding its lease in
 * Postgres. Leases are renewed every few seconds; a replica that dies stops renewing and another takes
 * its devices over within lease + renew interval (25 s by default).
 */
export class PollerPool {
  private readonly pollers = new Map<string, Poller>();
  private readonly log = new Logger('sync');
  private timer: NodeJS.Timeout | undefined;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private stopping = false;
  private readonly initialSyncs = new Semaphore(MAX_CONCURRENT_INITIAL_SYNCS);
  private readonly recentlyTouched = new LruCache<string, { hash: string; since: string; remote: boolean }>(
    100_000,
    { defaultTtlMs: TOUCH_EVERY_MS },
  );

  constructor(private readonly options: PollerPoolOptions) {
    this.leaseMs = options.leaseMs ?? 20_000;
    this.renewEveryMs = options.renewEveryMs ?? 5_000;
  }

  start(): void {
    this.timer = setInterval(() => {
      void this.tick();
    }, this.renewEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    // Released leases are taken over at once by the other replicas' next tick.
    await this.options.store.devices.releaseAll(this.options.owner).catch(() => undefined);
  }

  get size(): number {
    return this.pollers.size;
  }

  /** A client is syncing on this device: make sure someone polls it, and with its newest token. */
  /**
   * `since`: where the device's poller is (null: it has not synced yet). `roomsReady`: another device of
   * the user is polled, so the user's rooms are stored and a new device need not wait for its own sync.
   */
  async ensure(identity: Identity): Promise<{ since: string | null; roomsReady: boolean }> {
    const { store, owner } = this.options;
    const k = key(identity.userId, identity.deviceId);
    const hash = identity.tokenHash.toString('hex');
    const local = this.pollers.get(k);
    // A device seen a moment ago with the same token and a running poller (here or elsewhere) needs no
    // database write: long-polling clients come back every few seconds.
    const recent = this.recentlyTouched.get(k);
    if (recent?.hash === hash && (local !== undefined || recent.remote))
      return { since: recent.since, roomsReady: true };
    const state = await store.devices.touch(identity.userId, identity.deviceId, identity.tokenHash);
    const roomsReady =
      state.since !== null || (await store.devices.userHasLivePoller(identity.userId, identity.deviceId));
    const remember = (
      since: string | null,
      remote: boolean,
    ): { since: string | null; roomsReady: boolean } => {
      if (since !== null) this.recentlyTouched.set(k, { hash, since, remote });
      return { since, roomsReady };
    };
    if (local !== undefined) {
      local.token = identity.token;
      local.tokenHash = identity.tokenHash;
      return remember(state.since, false);
    }
    if (this.stopping || (state.leaseLive && state.owner !== owner)) return remember(state.since, true);
    const leased = await store.devices.claim(identity.userId, identity.deviceId, owner, this.leaseMs);
    if (leased !== null)
      this.startPoller(
        identity.userId,
        identity.deviceId,
        identity.token,
        identity.tokenHash,
        leased.since,
        roomsReady,
      );
    return { since: leased?.since ?? state.since, roomsReady };
  }

  private startPoller(
    userId: string,
    deviceId: string,
    token: string,
    tokenHash: Buffer,
    since: string | null,
    roomsKnown = false,
  ): void {
    const k = key(userId, deviceId);
    if (this.pollers.has(k)) return;
    const { store, upstream, owner } = this.options;
    const log = this.log;
    const poller = new Poller(
      userId,
      deviceId,
      token,
      tokenHash,
      since,
      {
        store,
        upstream,
        owner,
        log,
        clock: this.options.clock ?? systemClock,
        onBatch: this.options.onBatch,
        ...(this.options.observeLag === undefined ? {} : { observeLag: this.options.observeLag }),
        onUnauthorized: async (p, softLogout) => {
          log.log({
            msg: 'homeserver rejected the device token; poller stopped',
            userId,
            deviceId,
            softLogout,
          });
          // The token first, the device last: a request waiting for this device's first sync re-checks its
          // token as soon as it sees the device stopped, and must then find the token refused.
          // A soft logout is not stored as dead: the next request asks the homeserver again, which
          // answers with soft_logout itself, so the client refreshes instead of dropping its session.
          await (
            softLogout ? store.tokens.expireVerification(p.tokenHash) : store.tokens.markInvalid(p.tokenHash)
          ).catch(() => undefined);
          this.options.onTokenInvalid(p.tokenHash, p.userId);
          await store.devices.markInvalid(p.userId, p.deviceId, p.tokenHash).catch(() => undefined);
        },
        onStopped: (p) => {
          if (this.pollers.get(k) === p) this.pollers.delete(k);
          void store.devices.release(userId, deviceId, owner).catch(() => undefined);
        },
        initialTimelineLimit: this.options.initialTimelineLimit ?? 20,
        liveTimelineLimit: this.options.liveTimelineLimit ?? 50,
        pollTimeoutMs: this.options.pollTimeoutMs ?? 30_000,
        initialSyncs: this.initialSyncs,
      },
      roomsKnown,
    );
    this.pollers.set(k, poller);
  }

  /** Renews held leases, stops loops whose lease was lost, adopts orphaned devices. */
  private async tick(): Promise<void> {
    if (this.stopping) return;
    const { store, owner, cipher } = this.options;
    try {
      // Only the loops running before the renewal was sent: one that `ensure` started meanwhile has a
      // lease the renewal may not have seen, and stopping it would make the device's next poller sync
      // from the start again (a second initial sync, the heaviest request a poller makes).
      const before = new Map(this.pollers);
      const held = await store.devices.renew(owner, this.leaseMs);
      const heldKeys = new Set(held.map((d) => key(d.userId, d.deviceId)));
      for (const [k, p] of before) if (!heldKeys.has(k) && this.pollers.get(k) === p) void p.stop();
      const idle = this.options.idleAfterMs ?? 24 * 3600_000;
      await store.devices.markIdle(idle);
      const orphans = await store.devices.claimOrphans(owner, this.leaseMs, 50, idle);
      for (const d of orphans) {
        const enc = await store.tokens.encryptedToken(d.tokenHash);
        let token: string | null = null;
        try {
          token = enc === null ? null : cipher.decrypt(enc, d.tokenHash);
        } catch {
          this.log.warn({
            msg: 'stored token does not decrypt (SYNCV3_SECRET changed?)',
            userId: d.userId,
            deviceId: d.deviceId,
          });
        }
        if (token === null) {
          await store.devices.park(d.userId, d.deviceId);
          continue;
        }
        this.startPoller(d.userId, d.deviceId, token, d.tokenHash, d.since);
      }
    } catch (err) {
      this.log.warn({ msg: 'lease renewal failed', err });
    }
  }
}

function key(userId: string, deviceId: string): string {
  return `${userId}|${deviceId}`;
}
