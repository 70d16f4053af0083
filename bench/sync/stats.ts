/** The q-quantile of `xs` (nearest rank), 0 for none. */
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

export const round = (x: number, digits = 1): number => +x.toFixed(digits);

/** `{ p50, p95, p99 }` of a sample in ms, rounded. */
export function summary(xs: number[]): { n: number; p50: number; p95: number; p99: number } {
  return {
    n: xs.length,
    p50: round(quantile(xs, 0.5)),
    p95: round(quantile(xs, 0.95)),
    p99: round(quantile(xs, 0.99)),
  };
}

/** A Markdown table, columns padded for reading on a terminal. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Wall-clock ms from an event's `origin_server_ts` (the homeserver's clock when it created the event) to
 * `at` (`performance.now()` here): one host, one clock.
 */
export function sinceCreatedMs(where: string, event: { origin_server_ts?: number }, at: number): number {
  if (typeof event.origin_server_ts !== 'number')
    throw new Error(`${where}: an event arrived without origin_server_ts`);
  return performance.timeOrigin + at - event.origin_server_ts;
}
