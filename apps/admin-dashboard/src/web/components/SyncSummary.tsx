import { useMemo } from 'react';
import { ApiError } from '../api/client';
import { SyncAdminApi } from '../api/sync-admin';
import { useServices } from '../lib/context';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { Async } from './ui';

/** The overview's sync proxy figures: pollers and connections, from its admin API (null: not configured). */
export function SyncSummary() {
  const { session } = useServices();
  const api = useMemo(() => new SyncAdminApi((force) => session.accessToken(force)), [session]);
  const [state, reload] = useAsync(async () => {
    try {
      const [pollers, connections] = await Promise.all([
        api.pollers({ 'page[first]': 1 }),
        api.connections({ 'page[first]': 1 }),
      ]);
      return { pollers: pollers.meta?.count ?? 0, connections: connections.meta?.count ?? 0 };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, 'sync-summary');
  return (
    <section aria-labelledby="sync-summary-h">
      <h2 id="sync-summary-h">Sync proxy</h2>
      <Async state={state} what="the sync proxy's figures" retry={reload}>
        {(s) =>
          s === null ? (
            <p className="muted">Its admin API is not configured (DASHBOARD_SYNC_ADMIN_URL).</p>
          ) : (
            <ul className="cards" aria-label="Pollers and connections">
              <li>
                <Link to="/sync">
                  <strong>{s.pollers}</strong> {s.pollers === 1 ? 'poller' : 'pollers'}
                </Link>
              </li>
              <li>
                <Link to="/sync">
                  <strong>{s.connections}</strong> {s.connections === 1 ? 'connection' : 'connections'}
                </Link>
              </li>
            </ul>
          )
        }
      </Async>
    </section>
  );
}
