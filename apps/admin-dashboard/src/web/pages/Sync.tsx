import { useState, type SyntheticEvent } from 'react';
import type { SyncListQuery } from '../api/sync-admin';
import { Async, Empty, Pager, formatTime } from '../components/ui';
import { useServices } from '../lib/context';
import { navigate, useLocation } from '../lib/router';
import { POLLER_STATES, formatLag } from '../lib/sync-format';
import { usePaged } from '../lib/use-paged';

/**
 * The sync proxy's pollers (one upstream /sync loop per device: state, lag, errors) and sliding-sync
 * connections, from its admin API (`/api/sync/v1/*` on the dashboard server).
 */
export function Sync() {
  const { sync } = useServices();
  const { search } = useLocation();
  const user = search.get('user') ?? '';
  return (
    <>
      <h1>Sync proxy</h1>
      <UserFilter
        key={user}
        value={user}
        onApply={(u) => {
          navigate(u === '' ? '/sync' : `/sync?${new URLSearchParams({ user: u }).toString()}`);
        }}
      />
      {sync.configured ? (
        <SyncLists user={user} />
      ) : (
        <div className="state empty" role="status">
          <h2>Not configured</h2>
          <p>
            The dashboard does not know the sync proxy&apos;s admin API. Set{' '}
            <span className="mono">DASHBOARD_SYNC_ADMIN_URL</span> to its internal listener (
            <span className="mono">SYNCV3_PROM</span>), and give the sync proxy its{' '}
            <span className="mono">SYNCV3_ADMIN_*</span> settings.
          </p>
        </div>
      )}
    </>
  );
}

/** The pollers and connections (the sync proxy's admin API is configured). */
function SyncLists({ user }: { user: string }) {
  const { sync } = useServices();
  const filter: SyncListQuery = user === '' ? {} : { 'filter[user]': user };
  const pollers = usePaged((page) => sync.pollers({ ...filter, ...page }), `pollers|${user}`);
  const connections = usePaged((page) => sync.connections({ ...filter, ...page }), `connections|${user}`);
  return (
    <>
      <section aria-labelledby="pollers-h">
        <h2 id="pollers-h">Pollers</h2>
        <p className="muted small">
          One upstream <span className="mono">/sync</span> loop per device. Lag is the time since its last
          stored answer; a quiet, healthy poller long-polls for 30 s.
        </p>
        <Async state={pollers.state} what="pollers" retry={pollers.reload}>
          {(page) =>
            (page.data ?? []).length === 0 ? (
              <Empty>
                {user === '' ? 'No device has synced through the proxy yet.' : 'No pollers for this user.'}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Pollers</caption>
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Device</th>
                      <th scope="col">State</th>
                      <th scope="col">Lag</th>
                      <th scope="col">Errors</th>
                      <th scope="col">Lease</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(page.data ?? []).map((p) => {
                      const a = p.attributes;
                      const state = POLLER_STATES[a.state];
                      const lag = formatLag(a.lag_seconds);
                      return (
                        <tr key={p.id}>
                          <td className="mono">{a.user_id}</td>
                          <td className="mono">{a.device_id}</td>
                          <td>
                            <span className={`badge ${state.tone}`}>{state.label}</span>
                          </td>
                          <td className={lag.late ? 'late' : undefined}>
                            {lag.text}
                            <div className="muted small">last poll {formatTime(a.last_poll_at)}</div>
                          </td>
                          <td>
                            {a.consecutive_errors === 0 ? 'none' : `${a.consecutive_errors} in a row`}
                            {a.last_error !== null && (
                              <div className="muted small">
                                last: {a.last_error} ({formatTime(a.last_error_at)})
                              </div>
                            )}
                          </td>
                          <td className="small">
                            {a.lease_owner === null ? (
                              '—'
                            ) : (
                              <>
                                <span className="mono">{a.lease_owner}</span>
                                <div className="muted">until {formatTime(a.lease_expires_at)}</div>
                              </>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </Async>
        <Pager
          label="Poller pages"
          range={pollers.range}
          onPrevious={pollers.onPrevious}
          onNext={pollers.onNext}
        />
      </section>
      <section aria-labelledby="connections-h">
        <h2 id="connections-h">Connections</h2>
        <Async state={connections.state} what="connections" retry={connections.reload}>
          {(page) =>
            (page.data ?? []).length === 0 ? (
              <Empty>
                {user === '' ? 'No sliding-sync connections are open.' : 'No connections for this user.'}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Connections</caption>
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Device</th>
                      <th scope="col">Connection</th>
                      <th scope="col">Rooms</th>
                      <th scope="col">Subscriptions</th>
                      <th scope="col">Position</th>
                      <th scope="col">Last request</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(page.data ?? []).map((c) => {
                      const a = c.attributes;
                      return (
                        <tr key={c.id}>
                          <td className="mono">{a.user_id}</td>
                          <td className="mono">{a.device_id}</td>
                          <td>
                            <span className="mono">{a.conn_id}</span>
                            <div className="muted small">
                              {a.protocol ?? 'msc4186'} · opened {formatTime(a.created_at)}
                            </div>
                          </td>
                          <td>{a.rooms}</td>
                          <td>{a.room_subscriptions}</td>
                          <td className="mono">
                            {a.pos ?? '—'}
                            {a.acknowledged_pos !== a.pos && (
                              <div className="muted small">
                                acknowledged {a.acknowledged_pos ?? 'none yet'}
                              </div>
                            )}
                          </td>
                          <td>{formatTime(a.last_used_at)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </Async>
        <Pager
          label="Connection pages"
          range={connections.range}
          onPrevious={connections.onPrevious}
          onNext={connections.onNext}
        />
      </section>
    </>
  );
}

function UserFilter(props: { value: string; onApply: (user: string) => void }) {
  const [user, setUser] = useState(props.value);
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    props.onApply(user.trim());
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter by user">
      <label>
        User
        <input
          type="search"
          name="user"
          value={user}
          placeholder="@alice:example.org"
          onChange={(e) => {
            setUser(e.target.value);
          }}
        />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
