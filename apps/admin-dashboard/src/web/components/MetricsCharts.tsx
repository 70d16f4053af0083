import { useEffect, useState } from 'react';
import { SERVICE_NAMES, type MetricsAnswer } from '../api/metrics';
import { useServices } from '../lib/context';
import { ErrorBox, Loading } from './ui';
import { Sparkline } from './Sparkline';

type State =
  { status: 'loading' } | { status: 'error'; error: Error } | { status: 'done'; value: MetricsAnswer };

/** Polls the dashboard server's sampled metrics while the overview is open, at the server's interval. */
function useMetrics(): State {
  const { metrics } = useServices();
  const [state, setState] = useState<State>({ status: 'loading' });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let next = 15;
      try {
        const value = (await metrics.request('GET', '/series')) as MetricsAnswer;
        next = value.interval_seconds;
        if (!stopped) setState({ status: 'done', value });
      } catch (err) {
        // The charts drawn so far stay; the next poll may succeed.
        if (!stopped)
          setState((s) =>
            s.status === 'done'
              ? s
              : { status: 'error', error: err instanceof Error ? err : new Error(String(err)) },
          );
      }
      if (!stopped) timer = setTimeout(() => void poll(), Math.max(1, next) * 1000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [metrics]);
  return state;
}

/** The overview's sparklines: per service, the series the dashboard server samples from its `/metrics`. */
export function MetricsCharts() {
  const state = useMetrics();
  return (
    <section aria-labelledby="metrics-h">
      <h2 id="metrics-h">Metrics</h2>
      {state.status === 'loading' ? (
        <Loading what="metrics" />
      ) : state.status === 'error' ? (
        <ErrorBox error={state.error} />
      ) : state.value.services.length === 0 ? (
        <p className="muted">
          No service&apos;s metrics are sampled: set DASHBOARD_AUTH_METRICS_URL, DASHBOARD_SYNC_ADMIN_URL or
          DASHBOARD_RTC_ADMIN_URL.
        </p>
      ) : (
        <>
          <p className="muted small">
            Sampled every {state.value.interval_seconds} s by the dashboard server from each service&apos;s
            internal <span className="mono">/metrics</span> (the replica it reaches); the last{' '}
            {Math.round(state.value.window_seconds / 60)} minutes are kept.
          </p>
          {state.value.services.map((service) => (
            <div key={service.id} data-metrics-service={service.id}>
              <h3>
                {SERVICE_NAMES[service.id]}{' '}
                {service.up === false && <span className="badge bad">Not scraped</span>}
              </h3>
              {service.up === false && service.error !== null && (
                <p className="muted small">Last scrape: {service.error}</p>
              )}
              <ul className="sparks" aria-label={`${SERVICE_NAMES[service.id]} metrics`}>
                {state.value.series
                  .filter((s) => s.service === service.id)
                  .map((s) => (
                    <li key={s.id}>
                      <Sparkline label={s.label} unit={s.unit} points={s.points} />
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
