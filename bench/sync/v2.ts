import type { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';
import { sinceCreatedMs } from './stats';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface V2Answer {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events?: { event_id: string; origin_server_ts?: number }[] } }>;
  };
}

/**
 * One `GET /v3/sync` as a poller makes it (apps/sync-proxy/src/poller/accumulate.ts `v2Filter`): no
 * presence, `timeline.limit` 50 once live, members lazy-loaded on the first sync only. Until 2026-12-07
 * this lazy-loaded members on live syncs too, which the poller does not do (it must see every member
 * change in a gap), so the floor it measured was a cheaper request than the poller's.
 */
async function v2Sync(
  baseUrl: string,
  token: string,
  since: string | null,
  timeoutMs: number,
): Promise<V2Answer> {
  const url = new URL(`${baseUrl}/_matrix/client/v3/sync`);
  url.searchParams.set(
    'filter',
    JSON.stringify({
      presence: { not_types: ['*'] },
      room: {
        timeline: { limit: since === null ? 1 : 50 },
        state: { lazy_load_members: since === null },
        include_leave: false,
      },
    }),
  );
  url.searchParams.set('set_presence', 'offline');
  url.searchParams.set('timeout', String(timeoutMs));
  if (since !== null) url.searchParams.set('since', since);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`/v3/sync → ${String(res.status)} ${text}`);
  return JSON.parse(text) as V2Answer;
}

/**
 * Send → receive on a plain `/v3/sync` long-poll of its own device, the wait every proxy poller has before
 * the proxy can do anything: the floor under the proxy's send → receive time. Per message, in ms: `times`
 * (send → receive) and `sinceCreated` (the event's `origin_server_ts` → the answer in hand, wall clock).
 * A later block goes on from the `since` the previous one returned: Synapse keeps each `/sync` answer for
 * two minutes (`caches.sync_response_cache_duration`) and gives it again to the same request, so a second
 * initial sync replayed the first block's answers, and the block's events never came.
 */
export async function v2SendToReceive(
  baseUrl: string,
  token: string,
  bob: TestClient,
  roomId: string,
  messages: number,
  gapMs: number,
  from?: string,
): Promise<{ times: number[]; sinceCreated: number[]; since: string }> {
  let since = from ?? (await v2Sync(baseUrl, token, null, 0)).next_batch;
  const times: number[] = [];
  const sinceCreated: number[] = [];
  for (let i = 0; i < messages; i++) {
    since = (await v2Sync(baseUrl, token, since, 0)).next_batch;
    let pending = v2Sync(baseUrl, token, since, 30_000);
    await sleep(gapMs);
    const t0 = performance.now();
    const eventId = await bob.send(roomId, `v2 ${String(i)}`);
    for (let tries = 0; ; tries++) {
      const r = await pending;
      const at = performance.now();
      since = r.next_batch;
      const event = (r.rooms?.join?.[roomId]?.timeline?.events ?? []).find((e) => e.event_id === eventId);
      if (event !== undefined) {
        times.push(at - t0);
        sinceCreated.push(sinceCreatedMs('v2', event, at));
        break;
      }
      if (tries > 20) throw new Error(`v2: ${eventId} did not arrive in 20 answers`);
      pending = v2Sync(baseUrl, token, since, 30_000);
    }
  }
  return { times, sinceCreated, since };
}
