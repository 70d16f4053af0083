import { parsePrometheusText } from './prometheus-text';
import { RingBuffer } from './ring-buffer';
import { SERIES, sumOf, type SeriesDefinition, type ServiceId } from './series';

/** What one sampling tick saw: the time and, per series of SERIES, its value (null: not known). */
interface Snapshot {
  at: number;
  values: (number | null)[];
}

export interface ServiceStatus {
  id: ServiceId;
  /** Whether the last scrape succeeded; null before the first. */
  up: boolean | null;
  /** Why the last scrape failed. */
  error: string | null;
  scraped_at: string | null;
}

/** The answer of `GET /api/metrics/v1/series`. */
export interface SeriesAnswer {
  interval_seconds: number;
  window_seconds: number;
  services: ServiceStatus[];
  series: {
    id: string;
    service: ServiceId;
    label: string;
    unit: string;
    /** `[epoch milliseconds, value or null]`, oldest first. */
    points: [number, number | null][];
  }[];
}

export interface SamplerOptions {
  /** Base URL (no trailing slash) of each configured service's internal listener. */
  targets: Partial<Record<ServiceId, string>>;
  intervalSeconds: number;
  windowSeconds: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Scrapes the services' internal `/metrics` every interval and keeps the last window of the charted
 * series in memory (one ring per dashboard replica, lost on restart: the overview's sparklines, not a
 * metrics store; Prometheus is that).
 */
export class MetricsSampler {
  private readonly ring: RingBuffer<Snapshot>;
  private readonly definitions: readonly SeriesDefinition[];
  private readonly status = new Map<ServiceId, ServiceStatus>();
  /** The last counter totals, per series index, for rates. */
  private readonly lastTotals = new Map<number, { at: number; total: number }>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(private readonly options: SamplerOptions) {
    this.definitions = SERIES.filter((d) => options.targets[d.service] !== undefined);
    this.ring = new RingBuffer(Math.max(1, Math.ceil(options.windowSeconds / options.intervalSeconds)));
    for (const id of Object.keys(options.targets) as ServiceId[])
      this.status.set(id, { id, up: null, error: null, scraped_at: null });
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  get configured(): boolean {
    return this.status.size > 0;
  }

  start(): void {
    if (!this.configured || this.timer !== undefined) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalSeconds * 1000);
    // Sampling never keeps the process alive on its own: shutdown stops it anyway.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One tick; a tick still waiting for a slow service is not overlapped by the next. */
  sample(): Promise<void> {
    this.running ??= this.sampleAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sampleAll(): Promise<void> {
    const at = this.now();
    const scraped = new Map<ServiceId, ReturnType<typeof parsePrometheusText> | null>();
    await Promise.all(
      [...this.status.keys()].map(async (id) => {
        scraped.set(id, await this.scrape(id, at));
      }),
    );
    const values = this.definitions.map((d, i) => {
      const samples = scraped.get(d.service);
      if (samples == null) {
        // A gap: the next rate is measured from the next good scrape.
        this.lastTotals.delete(i);
        return null;
      }
      const total = sumOf(d, samples);
      if (d.kind === 'gauge') return total;
      const last = this.lastTotals.get(i);
      this.lastTotals.set(i, { at, total });
      // The first scrape has nothing to compare with; a lower total is a restarted service.
      if (last === undefined || total < last.total || at <= last.at) return null;
      return (total - last.total) / ((at - last.at) / 1000);
    });
    this.ring.push({ at, values });
  }

  private async scrape(id: ServiceId, at: number): Promise<ReturnType<typeof parsePrometheusText> | null> {
    const status = this.status.get(id);
    const base = this.options.targets[id];
    if (status === undefined || base === undefined) return null;
    status.scraped_at = new Date(at).toISOString();
    try {
      const res = await this.fetch(`${base}/metrics`, {
        headers: { Accept: 'text/plain' },
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(this.options.intervalSeconds * 1000, 10_000)),
      });
      if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
      const samples = parsePrometheusText(await res.text());
      status.up = true;
      status.error = null;
      return samples;
    } catch (err) {
      status.up = false;
      status.error = err instanceof Error ? err.message : String(err);
      return null;
    }
  }

  view(): SeriesAnswer {
    const snapshots = this.ring.toArray();
    return {
      interval_seconds: this.options.intervalSeconds,
      window_seconds: this.options.windowSeconds,
      services: [...this.status.values()].map((s) => ({ ...s })),
      series: this.definitions.map((d, i) => ({
        id: d.id,
        service: d.service,
        label: d.label,
        unit: d.unit,
        points: snapshots.map((s): [number, number | null] => [s.at, s.values[i] ?? null]),
      })),
    };
  }
}
