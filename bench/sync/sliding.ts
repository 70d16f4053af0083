import { SLIDING_SYNC_PATH } from '../../apps/sync-proxy/test/support/matrix-client';

/** Element X's room-list `required_state` (shared/reference/sync-proxy.md §1.5). */
export const ELEMENT_X_REQUIRED_STATE = [
  ['m.room.name', ''],
  ['m.room.encryption', ''],
  ['m.room.member', '$LAZY'],
  ['m.room.member', '$ME'],
  ['m.room.topic', ''],
  ['m.room.avatar', ''],
  ['m.room.canonical_alias', ''],
  ['m.room.power_levels', ''],
  ['org.matrix.msc3401.call.member', '*'],
  ['m.room.join_rules', ''],
  ['m.room.tombstone', ''],
  ['m.room.create', ''],
  ['m.room.history_visibility', ''],
  ['io.element.functional_members', ''],
  ['m.space.parent', '*'],
  ['m.space.child', '*'],
  ['org.matrix.msc3672.beacon_info', '*'],
];

/** Element X's room-list request body for one window of `all_rooms`. */
export function roomListBody(connId: string, end: number): Record<string, unknown> {
  return {
    conn_id: connId,
    lists: {
      all_rooms: {
        ranges: [[0, end]],
        timeline_limit: 1,
        filters: {},
        required_state: ELEMENT_X_REQUIRED_STATE,
      },
    },
    extensions: {
      account_data: { enabled: true },
      receipts: { enabled: true, rooms: ['*'] },
      typing: { enabled: true },
    },
  };
}

export interface SyncAnswer {
  pos: string;
  count: number;
  rooms: Record<string, { timeline?: { event_id: string; origin_server_ts?: number }[] }>;
  /** Wall time of the request, body read and parsed, in ms. */
  ms: number;
}

/** A refusal with 429 `M_LIMIT_EXCEEDED`: a client waits `retryAfterMs` and tries again. */
export class RateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limited for ${String(retryAfterMs)} ms`);
  }
}

/** One MSC4186 request (to the proxy or to Synapse), failing on anything but 200 (429: {@link RateLimited}). */
export async function sync(
  baseUrl: string,
  token: string,
  body: Record<string, unknown>,
  query: { pos?: string; timeout?: number } = {},
  signal?: AbortSignal,
): Promise<SyncAnswer> {
  const qs = new URLSearchParams();
  if (query.pos !== undefined) qs.set('pos', query.pos);
  qs.set('timeout', String(query.timeout ?? 0));
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}${SLIDING_SYNC_PATH}?${qs.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status === 429) {
    const retry = (JSON.parse(text) as { retry_after_ms?: number }).retry_after_ms;
    throw new RateLimited(retry ?? 1_000);
  }
  if (res.status !== 200) throw new Error(`sliding sync at ${baseUrl} → ${String(res.status)} ${text}`);
  const parsed = JSON.parse(text) as {
    pos: string;
    lists?: Record<string, { count?: number }>;
    rooms?: SyncAnswer['rooms'];
  };
  return {
    pos: parsed.pos,
    count: parsed.lists?.['all_rooms']?.count ?? 0,
    rooms: parsed.rooms ?? {},
    ms,
  };
}
