import type { Histogram } from 'prom-client';

/** The stages of the proxy's own part of delivering a message; `total` is their sum. */
export type DeliveryStage = 'store' | 'wake' | 'recompute' | 'total';

interface Stored {
  receivedAt: number;
  committedAt: number;
}

/** Batches remembered for the long-polls they wake (they wake within milliseconds, or never). */
const REMEMBERED_BATCHES = 1024;

/**
 * Times the proxy's own part of delivering a message, which the homeserver's `/sync` long-poll does
 * not: from the poller holding the upstream response body to a long-poll's answer computed, split into
 * `store` (validate and write the batch, up to its commit), `wake` (commit to the waiting long-poll
 * woken) and `recompute` (woken to answer computed). Observed per answer a batch of this replica woke,
 * so the stages of one observation add up to its `total`; batches stored by another replica, and
 * answers woken by a timeout or a detected gap, are not observed.
 */
export class DeliveryTimings {
  private readonly batches = new Map<number, Stored>();

  constructor(
    private readonly histogram?: Histogram<'stage'>,
    /** Monotonic milliseconds. */
    readonly now: () => number = () => performance.now(),
  ) {}

  /** A batch received at `receivedAt` (this clock) was committed now as stream position `seq`. */
  stored(seq: number, receivedAt: number): void {
    this.batches.set(seq, { receivedAt, committedAt: this.now() });
    if (this.batches.size > REMEMBERED_BATCHES) {
      const oldest = this.batches.keys().next();
      if (oldest.done !== true) this.batches.delete(oldest.value);
    }
  }

  /** A long-poll woken at `wokenAt` by the message of `seq` has computed its answer now. */
  answered(seq: number, wokenAt: number): Partial<Record<DeliveryStage, number>> | undefined {
    const batch = this.batches.get(seq);
    if (batch === undefined) return undefined;
    const at = this.now();
    const ms: Record<DeliveryStage, number> = {
      store: batch.committedAt - batch.receivedAt,
      wake: wokenAt - batch.committedAt,
      recompute: at - wokenAt,
      total: at - batch.receivedAt,
    };
    if (this.histogram !== undefined) {
      for (const [stage, value] of Object.entries(ms)) this.histogram.observe({ stage }, value / 1000);
    }
    return ms;
  }
}
