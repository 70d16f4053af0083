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
  wake: () => void;
}

/**
 * This replica's waiting long-polls, woken by wake messages for their user or any of their rooms.
 * Also a gap detector: if the stream moved past the last message seen (a publish lost in a crash, or
 * Redis down), every waiter is woken to re-check, so a lost message costs about a second, never data.
 */
export class WaiterIndex {
  private readonly waiters = new Set<Waiter>();
  private lastSeenSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly observers: StreamObserver[] = [];

  constructor(
    private readonly transport: WakeTransport,
    private readonly readMaxSeq: () => Promise<number>,
    private readonly gapCheckMs = 1_000,
    private readonly onInvalidTokens: (hashesHex: string[]) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    // Until the database answers, the first gap check wakes everyone once: harmless.
    this.lastSeenSeq = await this.readMaxSeq().catch(() => 0);
    await this.transport.subscribe((m) => {
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

  publish(message: WakeMessage): Promise<void> {
    return this.transport.publish(message);
  }

  get size(): number {
    return this.waiters.size;
  }

  /** Resolves when news for the user may exist, when `ms` pass, or when `signal` aborts. */
  wait(
    userId: string,
    rooms: ReadonlySet<string>,
    afterSeq: number,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve) => {
      let waiter: Waiter | undefined = undefined;
      const done = (): void => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', done);
        if (waiter !== undefined) this.waiters.delete(waiter);
        resolve();
      };
      const timeout = setTimeout(done, ms);
      waiter = { userId, rooms, afterSeq, wake: done };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private onMessage(m: WakeMessage): void {
    const users = new Set(m.users);
    if (m.invalidTokens !== undefined) {
      this.onInvalidTokens(m.invalidTokens);
      for (const w of [...this.waiters]) if (users.has(w.userId)) w.wake();
      return;
    }
    if (m.seq > this.lastSeenSeq) this.lastSeenSeq = m.seq;
    // Observers first: a woken waiter recomputes at once and must not read what the message outdated.
    for (const o of this.observers) o.message(m);
    for (const w of [...this.waiters]) {
      if (m.seq <= w.afterSeq) continue;
      if (users.has(w.userId) || m.rooms.some((r) => w.rooms.has(r))) w.wake();
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
    if (max <= this.lastSeenSeq) return;
    // Give the message a moment to arrive before assuming it is lost.
    const seen = this.lastSeenSeq;
    await new Promise((r) => setTimeout(r, this.gapCheckMs / 2));
    if (this.lastSeenSeq >= max) return;
    this.lastSeenSeq = Math.max(seen, max);
    for (const o of this.observers) o.gap();
    for (const w of [...this.waiters]) if (w.afterSeq < max) w.wake();
  }
}
