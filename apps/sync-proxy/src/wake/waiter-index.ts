import type { WakeMessage, WakeTransport } from './wake-bus';

/** Something else that must hear every wake message, before any waiter wakes (e.g. a cache). */
export interface StreamObserver {
  message(m: WakeMessage): void;
  /** Messages may have been lost: forget anything derived from them. */
  gap(): void;
}

interface Waiter {
  userId: string;
  rooms: ReadonlySet<string>;
  afterSeq: number;
  /** `seq`: the wake message that concerned the waiter (none: shutdown, a gap, a token revoked). */
  wake: (seq?: number) => void;
}

/** How many recent wake messages are kept for long-polls that register after the message arrived. */
const RECENT_MESSAGES = 1024;

/**
 * This replica's waiting long-polls, woken by wake messages for their user or any of their rooms.
 * Also a gap detector: if the stream moved past the last message seen (a publish lost in a crash, or
 * Redis down), every waiter is woken to re-check, so a lost message costs about a second, never data.
 *
 * A long-poll computes its answer as of stream position `afterSeq`, then registers. News that arrives in
 * between (a message, or a gap the detector declared) would wake nobody and the request would sleep to
 * its timeout; so `wait` first looks at what arrived after `afterSeq` and returns at once if any of it
 * concerns the waiter.
 */
export class WaiterIndex {
  private readonly waiters = new Set<Waiter>();
  private lastSeenSeq = 0;
  /**
   * The highest position heard through the transport, this replica's own batches included (by their
   * echo). The gap detector compares with this, not `lastSeenSeq`: a batch announced in process moves
   * that past other replicas' messages the transport lost (Redis down), which would hide the gap.
   */
  private transportSeq = 0;
  /** The latest wake messages in arrival order (at most RECENT_MESSAGES). */
  private readonly recent: WakeMessage[] = [];
  /** The highest seq of a message dropped from `recent`: anyone waiting from before it may have missed it. */
  private forgottenSeq = 0;
  /** Stream positions up to here were declared lost by the gap detector: everyone before them re-checks. */
  private gapSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly observers: StreamObserver[] = [];
  /** Positions of batches announced in process (see `publish`) whose echo from the transport is due. */
  private readonly deliveredHere = new Set<number>();

  constructor(
    private readonly transport: WakeTransport,
    private readonly readMaxSeq: () => Promise<number>,
    private readonly gapCheckMs = 1_000,
    private readonly onInvalidTokens: (hashesHex: string[]) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    // Until the database answers, the first gap check wakes everyone once: harmless.
    this.lastSeenSeq = await this.readMaxSeq().catch(() => 0);
    this.transportSeq = this.lastSeenSeq;
    await this.transport.subscribe((m) => {
      if (m.invalidTokens === undefined && m.seq > this.transportSeq) this.transportSeq = m.seq;
      // A batch's position is unique (one stream row hands them out): its echo is the message heard.
      if (m.invalidTokens === undefined && this.deliveredHere.delete(m.seq)) return;
      this.onMessage(m);
    });
    this.timer = setInterval(() => {
      void this.checkGap();
    }, this.gapCheckMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const w of this.waiters) w.wake();
    this.waiters.clear();
    await this.transport.close();
  }

  observe(observer: StreamObserver): void {
    this.observers.push(observer);
  }

  /**
   * Announces a committed batch (or refused tokens). This replica's own waiters and observers hear it at
   * once, in process, instead of after a round trip through Redis (the batch is committed: answering
   * from it loses nothing in a crash); the transport still carries it to the other replicas, and its
   * echo here is skipped. Async, so a throwing observer rejects instead of failing the poller.
   */
  async publish(message: WakeMessage): Promise<void> {
    if (message.invalidTokens === undefined) {
      this.deliveredHere.add(message.seq);
      if (this.deliveredHere.size > RECENT_MESSAGES) {
        // Redis away: no echo comes back. An echo after this only wakes its waiters twice, harmlessly.
        const oldest = this.deliveredHere.values().next();
        if (oldest.done !== true) this.deliveredHere.delete(oldest.value);
      }
      this.onMessage(message);
    }
    await this.transport.publish(message);
  }

  get size(): number {
    return this.waiters.size;
  }

  /** The stream position of the latest news this replica has heard of: wait from here for anything new. */
  get position(): number {
    return this.lastSeenSeq;
  }

  /**
   * Resolves when news for the user may exist, when `ms` pass, or when `signal` aborts; with the stream
   * position of the wake message that concerned the waiter, if one did (for DeliveryTimings).
   */
  wait(
    userId: string,
    rooms: ReadonlySet<string>,
    afterSeq: number,
    ms: number,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const missed = this.missed(userId, rooms, afterSeq);
    if (missed !== false) return Promise.resolve(missed);
    return new Promise((resolve) => {
      let waiter: Waiter | undefined = undefined;
      const done = (seq?: number): void => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', aborted);
        if (waiter !== undefined) this.waiters.delete(waiter);
        resolve(seq);
      };
      const aborted = (): void => {
        done();
      };
      const timeout = setTimeout(done, ms);
      waiter = { userId, rooms, afterSeq, wake: done };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /**
   * Whether news for this waiter arrived after `afterSeq`, before it registered: false if none, else
   * the position of the message that concerns it (undefined when a gap or forgotten messages may).
   */
  private missed(userId: string, rooms: ReadonlySet<string>, afterSeq: number): number | undefined | false {
    if (this.gapSeq > afterSeq || this.forgottenSeq > afterSeq) return undefined;
    for (const m of this.recent) {
      if (m.seq > afterSeq && (m.users.includes(userId) || m.rooms.some((r) => rooms.has(r)))) return m.seq;
    }
    return false;
  }

  private remember(m: WakeMessage): void {
    this.recent.push(m);
    if (this.recent.length > RECENT_MESSAGES) {
      const dropped = this.recent.shift() as WakeMessage;
      if (dropped.seq > this.forgottenSeq) this.forgottenSeq = dropped.seq;
    }
  }

  private onMessage(m: WakeMessage): void {
    const users = new Set(m.users);
    if (m.invalidTokens !== undefined) {
      this.onInvalidTokens(m.invalidTokens);
      for (const w of [...this.waiters]) if (users.has(w.userId)) w.wake();
      return;
    }
    if (m.seq > this.lastSeenSeq) this.lastSeenSeq = m.seq;
    this.remember(m);
    // Observers first: a woken waiter recomputes at once and must not read what the message outdated.
    for (const o of this.observers) o.message(m);
    for (const w of [...this.waiters]) {
      if (m.seq <= w.afterSeq) continue;
      if (users.has(w.userId) || m.rooms.some((r) => w.rooms.has(r))) w.wake(m.seq);
    }
  }

  private async checkGap(): Promise<void> {
    // Runs with no waiters too: observers (the room-index cache) depend on it as well.
    let max: number;
    try {
      max = await this.readMaxSeq();
    } catch {
      return;
    }
    if (max <= this.transportSeq) return;
    // Give the message a moment to arrive before assuming it is lost.
    await new Promise((r) => setTimeout(r, this.gapCheckMs / 2));
    if (this.transportSeq >= max) return;
    this.transportSeq = max;
    if (max > this.lastSeenSeq) this.lastSeenSeq = max;
    if (max > this.gapSeq) this.gapSeq = max;
    for (const o of this.observers) o.gap();
    for (const w of [...this.waiters]) if (w.afterSeq < max) w.wake();
  }
}
