/**
 * Runs a delegation's next step at a given time. A step is named by (delegation id, record version):
 * a newer version supersedes the older one, which then runs (if at all) as a no-op. The handler
 * answers 'busy' when another step of the same delegation holds its lock; the scheduler then tries
 * again shortly.
 */
export type StepHandler = (id: string, version: number) => Promise<'done' | 'busy'>;

export interface StepScheduler {
  schedule(id: string, version: number, at: number): Promise<void>;
  /** Best effort: a step that cannot be cancelled any more finds its version stale. */
  cancel(id: string, version: number): Promise<void>;
  /** Whether the step is still pending or running (resume checks for steps lost in a crash). */
  isPending(id: string, version: number): Promise<boolean>;
  start(handler: StepHandler): Promise<void>;
  /** Stops delivering and waits for running steps; pending ones stay wherever they are kept. */
  close(): Promise<void>;
}

/** Node's setTimeout fires at once beyond this; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Pending {
  version: number;
  at: number;
  timer: NodeJS.Timeout | undefined;
}

/** In-process timers: one per delegation (only its newest version matters). */
export class TimerStepScheduler implements StepScheduler {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Set<Promise<void>>();
  private handler: StepHandler | undefined;
  private closed = false;

  constructor(
    private readonly options: {
      now: () => number;
      busyRetryMs: number;
      /** Wait after the handler threw (the store failed) before trying the same step again. */
      errorRetryMs: number;
      onError: (error: unknown, id: string) => void;
    },
  ) {}

  schedule(id: string, version: number, at: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.clear(id);
    const entry: Pending = { version, at, timer: undefined };
    this.pending.set(id, entry);
    if (this.handler !== undefined) this.arm(id, entry);
    return Promise.resolve();
  }

  cancel(id: string, version: number): Promise<void> {
    if (this.pending.get(id)?.version === version) this.clear(id);
    return Promise.resolve();
  }

  isPending(id: string, version: number): Promise<boolean> {
    return Promise.resolve(this.pending.get(id)?.version === version);
  }

  start(handler: StepHandler): Promise<void> {
    this.handler = handler;
    for (const [id, entry] of this.pending) this.arm(id, entry);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.clear(id);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private arm(id: string, entry: Pending): void {
    const wait = Math.max(0, entry.at - this.options.now());
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined;
        if (wait > MAX_TIMER_MS) this.arm(id, entry);
        else this.fire(id, entry);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  private fire(id: string, entry: Pending): void {
    const handler = this.handler;
    if (this.closed || handler === undefined || this.pending.get(id) !== entry) return;
    this.pending.delete(id);
    const run = handler(id, entry.version).then(
      (outcome) => {
        if (outcome === 'busy') this.retry(id, entry.version, this.options.busyRetryMs);
      },
      (error: unknown) => {
        this.options.onError(error, id);
        this.retry(id, entry.version, this.options.errorRetryMs);
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Re-delivers a step unless a newer one was scheduled meanwhile. */
  private retry(id: string, version: number, afterMs: number): void {
    if (!this.pending.has(id)) void this.schedule(id, version, this.options.now() + afterMs);
  }

  private clear(id: string): void {
    const entry = this.pending.get(id);
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    this.pending.delete(id);
  }
}
