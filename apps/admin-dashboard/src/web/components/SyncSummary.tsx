import { useServices } from '../lib/context';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { Async } from './ui';

/** The overview's sync proxy figures now: pollers and connections, from its admin API. */
export function SyncSummary() {
  const { sync } = useServices();
  return (
    <section aria-labelledby="sync-summary-h">
      <h2 id="sync-summary-h">Sync proxy</h2>
      {sync.configured ? (
        <SyncCounts />
      ) : (
        <p className="muted">Its admin API is not configured (DASHBOARD_SYNC_ADMIN_URL).</p>
      )}
    </section>
  );
}

function SyncCounts() {
  const { sync } = useServices();
  const [state, reload] = useAsync(async () => {
    const [pollers, connections] = await Promise.all([
      sync.pollers({ 'page[first]': 1 }),
      sync.connections({ 'page[first]': 1 }),
    ]);
    return { pollers: pollers.meta?.count ?? 0, connections: connections.meta?.count ?? 0 };
  }, 'sync-summary');
  return (
    <Async state={state} what="the sync proxy's figures" retry={reload}>
      {(s) => (
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
      )}
    </Async>
  );
}
