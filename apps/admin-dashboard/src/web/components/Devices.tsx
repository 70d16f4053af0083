import { useServices } from '../lib/context';
import { devicesOf, type DeviceKind } from '../lib/devices';
import { useAsync } from '../lib/use-async';
import { Async, Empty, formatTime } from './ui';

const KIND: Record<DeviceKind, string> = {
  oauth: 'OAuth session',
  compat: 'Legacy login',
  personal: 'Personal token',
};

/** At most this many sessions of each kind are read; the count says when there are more. */
const LIMIT = 100;

/** The user's Matrix devices: their active OAuth, legacy and personal-token sessions, by device id. */
export function Devices({ userId }: { userId: string }) {
  const { api } = useServices();
  const [state, reload] = useAsync(async () => {
    const page = { 'page[first]': LIMIT };
    const [oauth, compat, personal] = await Promise.all([
      api.get('/api/admin/v1/oauth2-sessions', {
        query: { 'filter[user]': userId, 'filter[status]': 'active', ...page },
      }),
      api.get('/api/admin/v1/compat-sessions', {
        query: { 'filter[user]': userId, 'filter[status]': 'active', ...page },
      }),
      api.get('/api/admin/v1/personal-sessions', {
        query: { 'filter[actor_user]': userId, 'filter[status]': 'active', ...page },
      }),
    ]);
    const more = [oauth, compat, personal].some((l) => (l.meta?.count ?? 0) > (l.data ?? []).length);
    return {
      devices: devicesOf({
        oauth: oauth.data ?? [],
        compat: compat.data ?? [],
        personal: personal.data ?? [],
      }),
      more,
    };
  }, `devices|${userId}`);
  return (
    <section aria-labelledby="devices-h">
      <h2 id="devices-h">Devices</h2>
      <p className="muted small">
        Each active session is one Matrix device on the homeserver; finishing the session (below) deletes it.
      </p>
      <Async state={state} what="devices" retry={reload}>
        {({ devices, more }) =>
          devices.length === 0 ? (
            <Empty>No devices.</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Devices</caption>
                  <thead>
                    <tr>
                      <th scope="col">Device</th>
                      <th scope="col">Through</th>
                      <th scope="col">Name</th>
                      <th scope="col">Last active</th>
                    </tr>
                  </thead>
                  <tbody>
                    {devices.map((d) => (
                      <tr key={`${d.kind}:${d.sessionId}`} data-device={d.deviceId}>
                        <td className="mono">{d.deviceId}</td>
                        <td>{KIND[d.kind]}</td>
                        <td>{d.name ?? '—'}</td>
                        <td>
                          {formatTime(d.lastActiveAt ?? d.createdAt)}
                          {d.lastActiveIp !== null && (
                            <div className="muted small">from {d.lastActiveIp}</div>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {more && <p className="muted small">Only the first {LIMIT} sessions of each kind are shown.</p>}
            </>
          )
        }
      </Async>
    </section>
  );
}
