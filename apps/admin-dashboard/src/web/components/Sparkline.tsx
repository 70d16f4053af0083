/** `[epoch milliseconds, value or null]`: null is a gap (the service could not be scraped then). */
export type Point = readonly [number, number | null];

const WIDTH = 160;
const HEIGHT = 36;
const PAD = 2;

/** A value as the chart's label says it: whole numbers as they are, rates to two significant digits. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(2)));
}

/**
 * The SVG path of the points, scaled into the box: one `M…L…` run per stretch without gaps. The
 * vertical scale starts at 0 (these are counts and rates), so a flat line is not drawn as noise.
 */
export function sparklinePath(points: readonly Point[], width = WIDTH, height = HEIGHT): string {
  const known = points.filter((p): p is readonly [number, number] => p[1] !== null);
  if (known.length === 0) return '';
  const t0 = points[0]?.[0] ?? 0;
  const t1 = points[points.length - 1]?.[0] ?? t0;
  const max = Math.max(...known.map((p) => p[1]), 0);
  const x = (t: number) => (t1 === t0 ? width - PAD : PAD + ((t - t0) / (t1 - t0)) * (width - 2 * PAD));
  const y = (v: number) => (max === 0 ? height - PAD : height - PAD - (v / max) * (height - 2 * PAD));
  let d = '';
  let run = 0;
  // A stretch of one point is a zero-length segment, which round line caps paint as a dot.
  const endRun = () => {
    if (run === 1) d += 'h0';
    run = 0;
  };
  for (const [t, v] of points) {
    if (v === null) {
      endRun();
      continue;
    }
    d += `${run > 0 ? 'L' : 'M'}${x(t).toFixed(1)} ${y(v).toFixed(1)}`;
    run++;
  }
  endRun();
  return d;
}

/**
 * A tiny line chart of one series, inline SVG (no library, nothing the strict CSP would refuse). Its
 * accessible name says the latest value, which is also written next to it; colours follow the page's
 * (dark mode included) through CSS.
 */
export function Sparkline(props: { label: string; unit: string; points: readonly Point[] }) {
  const known = props.points.filter((p) => p[1] !== null);
  const latest = known[known.length - 1]?.[1] ?? null;
  const latestText = latest === null ? 'no value yet' : `${formatValue(latest)} ${props.unit}`;
  const first = props.points[0]?.[0];
  const last = props.points[props.points.length - 1]?.[0];
  const minutes = first === undefined || last === undefined ? 0 : (last - first) / 60_000;
  const span = minutes < 1 ? 'under a minute' : `${Math.round(minutes)} min`;
  const name = `${props.label}: ${latestText} (last ${span}, ${known.length} ${known.length === 1 ? 'point' : 'points'})`;
  const d = sparklinePath(props.points);
  return (
    <figure className="spark" data-series-points={known.length}>
      <figcaption>
        <span>{props.label}</span> <strong>{latest === null ? '—' : formatValue(latest)}</strong>{' '}
        <span className="muted small">{props.unit}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={name}>
        <title>{name}</title>
        <line className="spark-base" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {d !== '' && <path className="spark-line" d={d} />}
      </svg>
    </figure>
  );
}
