import { useServices } from '../lib/context';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { Async } from './ui';

/** The overview's live calls now: rooms and participants, from the RTC service's admin API. */
export function RtcSummary() {
  const { rtc } = useServices();
  return (
    <section aria-labelledby="rtc-summary-h">
      <h2 id="rtc-summary-h">RTC</h2>
      {rtc.configured ? (
        <RtcCounts />
      ) : (
        <p className="muted">Its admin API is not configured (DASHBOARD_RTC_ADMIN_URL).</p>
      )}
    </section>
  );
}

function RtcCounts() {
  const { rtc } = useServices();
  const [state, reload] = useAsync(async () => {
    const rooms = await rtc.rooms();
    const participants = rooms.data.reduce((n, r) => n + r.attributes.num_participants, 0);
    return { rooms: rooms.data.length, participants };
  }, 'rtc-summary');
  return (
    <Async state={state} what="live calls" retry={reload}>
      {(s) => (
        <ul className="cards" aria-label="Live calls">
          <li>
            <Link to="/rtc">
              <strong>{s.rooms}</strong> {s.rooms === 1 ? 'room' : 'rooms'}
            </Link>
          </li>
          <li>
            <Link to="/rtc">
              <strong>{s.participants}</strong> {s.participants === 1 ? 'participant' : 'participants'}
            </Link>
          </li>
        </ul>
      )}
    </Async>
  );
}
