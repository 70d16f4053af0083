import type { PromSample } from './prometheus-text';

/** The services whose internal `/metrics` the dashboard samples. */
export type ServiceId = 'auth' | 'sync' | 'rtc';

/**
 * One charted series: the sum of a metric's samples (those `where` keeps), as it is (`gauge`) or as a
 * per-second rate between two scrapes (`rate`, for counters). Only metrics the services really export
 * (libs/server's `http_requests_total`, the sync proxy's and the RTC service's own gauges and counters).
 */
export interface SeriesDefinition {
  id: string;
  service: ServiceId;
  label: string;
  unit: string;
  kind: 'gauge' | 'rate';
  metric: string;
  where?: (labels: Readonly<Record<string, string>>) => boolean;
}

/** Requests people and clients make: probes (every few seconds from the orchestrator) are left out. */
const notProbe = (l: Readonly<Record<string, string>>) => l['route'] !== '/health' && l['route'] !== '/ready';
const serverError = (l: Readonly<Record<string, string>>) =>
  notProbe(l) && (l['status'] ?? '').startsWith('5');

function requests(service: ServiceId): SeriesDefinition[] {
  return [
    {
      id: `${service}.requests`,
      service,
      label: 'Requests',
      unit: 'per second',
      kind: 'rate',
      metric: 'http_requests_total',
      where: notProbe,
    },
    {
      id: `${service}.errors`,
      service,
      label: 'Server errors (5xx)',
      unit: 'per second',
      kind: 'rate',
      metric: 'http_requests_total',
      where: serverError,
    },
  ];
}

export const SERIES: readonly SeriesDefinition[] = [
  ...requests('auth'),
  ...requests('sync'),
  {
    id: 'sync.pollers',
    service: 'sync',
    label: 'Pollers',
    unit: 'loops',
    kind: 'gauge',
    metric: 'sync_proxy_pollers',
  },
  {
    id: 'sync.waiters',
    service: 'sync',
    label: 'Waiting long-polls',
    unit: 'requests',
    kind: 'gauge',
    metric: 'sync_proxy_waiters',
  },
  ...requests('rtc'),
  {
    id: 'rtc.tokens',
    service: 'rtc',
    label: 'Token requests',
    unit: 'per second',
    kind: 'rate',
    metric: 'rtc_token_requests_total',
  },
  {
    id: 'rtc.delegations',
    service: 'rtc',
    label: 'Delayed-leave delegations',
    unit: 'participants',
    kind: 'gauge',
    metric: 'rtc_delegations_active',
  },
];

/**
 * A series' sum in one scrape. A metric with no sample counts as 0: prom-client writes a labelled
 * counter only once it has been incremented.
 */
export function sumOf(definition: SeriesDefinition, samples: readonly PromSample[]): number {
  let sum = 0;
  for (const s of samples)
    if (s.name === definition.metric && (definition.where?.(s.labels) ?? true) && Number.isFinite(s.value))
      sum += s.value;
  return sum;
}
