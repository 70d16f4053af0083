import { useServices } from '../lib/context';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { Async } from '../components/ui';
import { MetricsCharts } from '../components/MetricsCharts';
import { RtcSummary } from '../components/RtcSummary';
import { SyncSummary } from '../components/SyncSummary';

interface Readiness {
  status: string;
  checks?: Record<string, unknown>;
}

async function readiness(): Promise<Readiness> {
  const res = await fetch('/auth-service/ready', { headers: { Accept: 'application/json' } });
  if (res.status === 502) return { status: 'unreachable' };
  return (await res.json()) as Readiness;
}

/** The services' health, what their admin APIs count now, and the sampled metrics of the last hour. */
export function Overview() {
  const { api } = useServices();
  const [health, reloadHealth] = useAsync(readiness, 'health');
  const [facts, reloadFacts] = useAsync(async () => {
    const count = async (p: Promise<{ meta?: { count: number } }>) => (await p).meta?.count ?? 0;
    const users = '/api/admin/v1/users' as const;
    const [version, site, total, admins, locked, deactivated, sessions, tokens, clients] = await Promise.all([
      api.get('/api/admin/v1/version'),
      api.get('/api/admin/v1/site-config'),
      count(api.get(users, { query: { count: 'only' } })),
      count(api.get(users, { query: { count: 'only', 'filter[admin]': 'true' } })),
      count(api.get(users, { query: { count: 'only', 'filter[status]': 'locked' } })),
      count(api.get(users, { query: { count: 'only', 'filter[status]': 'deactivated' } })),
      count(
        api.get('/api/admin/v1/oauth2-sessions', { query: { count: 'only', 'filter[status]': 'active' } }),
      ),
      count(
        api.get('/api/admin/v1/user-registration-tokens', {
          query: { count: 'only', 'filter[valid]': 'true' },
        }),
      ),
      count(api.get('/api/admin/v1/oauth2-clients', { query: { count: 'only' } })),
    ]);
    return { version, site, total, admins, locked, deactivated, sessions, tokens, clients };
  }, 'facts');
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="health-h">
        <h2 id="health-h">Auth service</h2>
        <Async state={health} what="the auth service's health" retry={reloadHealth}>
          {(h) => (
            <p>
              <span className={`badge ${h.status === 'ok' ? 'ok' : 'bad'}`}>
                {h.status === 'ok' ? 'Ready' : h.status === 'unreachable' ? 'Unreachable' : 'Not ready'}
              </span>{' '}
              {h.checks !== undefined && (
                <span className="muted">checks: {Object.keys(h.checks).join(', ') || 'none'}</span>
              )}
            </p>
          )}
        </Async>
      </section>
      <Async state={facts} what="counts" retry={reloadFacts}>
        {(f) => (
          <>
            <p className="muted">
              {f.site.server_name} · version {f.version.version} · registration{' '}
              {f.site.password_registration_enabled
                ? f.site.registration_token_required
                  ? 'by token'
                  : 'open'
                : 'closed'}
            </p>
            <ul className="cards" aria-label="Counts">
              <li>
                <Link to="/users">
                  <strong>{f.total}</strong> users
                </Link>
              </li>
              <li>
                <Link to="/users?admin=true">
                  <strong>{f.admins}</strong> admins
                </Link>
              </li>
              <li>
                <Link to="/users?status=locked">
                  <strong>{f.locked}</strong> locked
                </Link>
              </li>
              <li>
                <Link to="/users?status=deactivated">
                  <strong>{f.deactivated}</strong> deactivated
                </Link>
              </li>
              <li>
                <strong>{f.sessions}</strong> active OAuth sessions
              </li>
              <li>
                <Link to="/registration-tokens">
                  <strong>{f.tokens}</strong> usable registration tokens
                </Link>
              </li>
              <li>
                <Link to="/oauth2-clients">
                  <strong>{f.clients}</strong> OAuth clients
                </Link>
              </li>
            </ul>
          </>
        )}
      </Async>
      <SyncSummary />
      <RtcSummary />
      <MetricsCharts />
    </>
  );
}
