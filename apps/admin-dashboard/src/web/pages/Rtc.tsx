import type { RtcRoom } from '../api/rtc-api';
import { Async, ConfirmButton, Empty, formatTime, useNotice } from '../components/ui';
import { useServices } from '../lib/context';
import { useAsync } from '../lib/use-async';

export function Rtc() {
  const { rtc } = useServices();
  return (
    <>
      <h1>RTC</h1>
      <p className="muted">
        The calls LiveKit is carrying right now, as the RTC service sees them with its LiveKit key.
      </p>
      {rtc.configured ? (
        <LiveRooms />
      ) : (
        <div className="state empty" role="status">
          <p>The RTC admin API is not configured.</p>
          <p className="muted small">
            Set <code>DASHBOARD_RTC_ADMIN_URL</code> on the dashboard server to the rtc-jwt-service&apos;s
            internal listener (its <code>RTC_METRICS_BIND</code>, with <code>RTC_ADMIN_*</code> set).
          </p>
        </div>
      )}
    </>
  );
}

function LiveRooms() {
  const { rtc } = useServices();
  const [notice, say] = useNotice();
  const [state, reload] = useAsync(() => rtc.rooms(), 'rtc-rooms');
  return (
    <>
      {notice}
      <p>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </p>
      <Async state={state} what="live rooms" retry={reload}>
        {(rooms) =>
          rooms.data.length === 0 ? (
            <Empty>No calls are live right now.</Empty>
          ) : (
            rooms.data.map((room) => (
              <Room
                key={room.id}
                room={room}
                onRemoved={(identity) => {
                  say(`${identity} removed from the call`);
                  reload();
                }}
              />
            ))
          )
        }
      </Async>
    </>
  );
}

function Room({ room, onRemoved }: { room: RtcRoom; onRemoved: (identity: string) => void }) {
  const { rtc } = useServices();
  const a = room.attributes;
  const headingId = `room-${room.id}`;
  return (
    <section className="panel" aria-labelledby={headingId} data-room={room.id}>
      <h2 id={headingId} className="mono">
        {room.id}
      </h2>
      <p className="muted small">
        Started {formatTime(a.created_at)} · {a.num_participants}{' '}
        {a.num_participants === 1 ? 'participant' : 'participants'}
      </p>
      {a.participants.length === 0 ? (
        <Empty>Nobody is connected; LiveKit closes the room soon.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Participants of {room.id}</caption>
            <thead>
              <tr>
                <th scope="col">Identity</th>
                <th scope="col">Name</th>
                <th scope="col">Joined</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {a.participants.map((p) => (
                <tr key={p.identity} data-identity={p.identity}>
                  <td className="mono">{p.identity}</td>
                  <td>{p.name === '' ? '—' : p.name}</td>
                  <td>{formatTime(p.joined_at)}</td>
                  <td>{p.state}</td>
                  <td className="actions">
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${p.identity} from the call?`}
                      confirmLabel="Remove"
                      danger
                      onConfirm={async () => {
                        await rtc.removeParticipant(room.id, p.identity);
                        onRemoved(p.identity);
                      }}
                    >
                      LiveKit disconnects them now. Their client may join again unless they have also lost
                      access to the Matrix room.
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
