import type { Point } from '../components/Sparkline';

/**
 * The dashboard server's sampled metrics (`GET /api/metrics/v1/series`, its `src/server/metrics`):
 * the last hour of each configured service's `/metrics`, as the overview charts it.
 */
export interface MetricsAnswer {
  interval_seconds: number;
  window_seconds: number;
  services: { id: ServiceId; up: boolean | null; error: string | null; scraped_at: string | null }[];
  series: { id: string; service: ServiceId; label: string; unit: string; points: Point[] }[];
}

export type ServiceId = 'auth' | 'sync' | 'rtc';

export const SERVICE_NAMES: Record<ServiceId, string> = {
  auth: 'Auth service',
  sync: 'Sync proxy',
  rtc: 'RTC service',
};
