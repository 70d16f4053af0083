import { z } from '@gateway/config';
import { AdminApiError } from '@gateway/server';
import {
  isConnectionId,
  parsePollerId,
  type AdminPage,
  type ConnectionStatus,
  type PollerStatus,
  type SyncStore,
} from '@gateway/sync-data';

/** Where the admin API is mounted, on the internal listener only. */
export const ADMIN_PREFIX = '/admin/v1';
export const ADMIN_PATHS = [`${ADMIN_PREFIX}/pollers`, `${ADMIN_PREFIX}/connections`];

const pageSize = z.coerce.number().int().min(1).max(1000).optional();

/**
 * The list query, as the auth service's admin API spells it (MAS's): `filter[user]` (a Matrix user ID),
 * `page[first]`/`page[after]` forward, `page[last]`/`page[before]` backward (sizes 1–1000, default 10).
 */
const listQuery = z.object({
  'filter[user]': z.string().min(1).optional(),
  'page[first]': pageSize,
  'page[last]': pageSize,
  'page[after]': z.string().min(1).optional(),
  'page[before]': z.string().min(1).optional(),
});
type ListQuery = z.output<typeof listQuery>;

function parseQuery(raw: unknown, isCursor: (value: string) => boolean): ListQuery {
  const result = listQuery.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AdminApiError(
      400,
      `Invalid query: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const q = result.data;
  if (q['page[first]'] !== undefined && q['page[last]'] !== undefined)
    throw new AdminApiError(400, 'Invalid query: page[first] and page[last] are mutually exclusive');
  for (const key of ['page[after]', 'page[before]'] as const) {
    const cursor = q[key];
    if (cursor !== undefined && !isCursor(cursor))
      throw new AdminApiError(400, `Invalid query: ${key} is not a cursor`);
  }
  return q;
}

function storeQuery(q: ListQuery) {
  return {
    userId: q['filter[user]'],
    first: q['page[first]'],
    last: q['page[last]'],
    after: q['page[after]'],
    before: q['page[before]'],
  };
}

interface ListAnswer<A> {
  meta: { count: number };
  data: { type: string; id: string; attributes: A; meta: { page: { cursor: string } } }[];
  links: { self: string; first: string; last: string; next?: string; prev?: string };
}

/** MAS's list answer: `self` as asked, `first`/`last` with the filter kept, `next`/`prev` when there is more. */
function listAnswer<T extends { id: string }, A>(
  collection: string,
  type: string,
  q: ListQuery,
  page: AdminPage<T>,
  attributes: (item: T) => A,
): ListAnswer<A> {
  const link = (extra: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    if (q['filter[user]'] !== undefined) params.set('filter[user]', q['filter[user]']);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, String(v));
    return `${ADMIN_PREFIX}/${collection}?${params.toString()}`;
  };
  const size = q['page[first]'] ?? q['page[last]'] ?? 10;
  const firstItem = page.items[0];
  const lastItem = page.items.at(-1);
  return {
    meta: { count: page.count },
    data: page.items.map((item) => ({
      type,
      id: item.id,
      attributes: attributes(item),
      meta: { page: { cursor: item.id } },
    })),
    links: {
      self: link({
        'page[first]': q['page[first]'],
        'page[last]': q['page[last]'],
        'page[after]': q['page[after]'],
        'page[before]': q['page[before]'],
      }),
      first: link({ 'page[first]': size }),
      last: link({ 'page[last]': size }),
      ...(page.hasNext && lastItem !== undefined
        ? { next: link({ 'page[after]': lastItem.id, 'page[first]': size }) }
        : {}),
      ...(page.hasPrevious && firstItem !== undefined
        ? { prev: link({ 'page[before]': firstItem.id, 'page[last]': size }) }
        : {}),
    },
  };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** `GET /admin/v1/pollers`: one row per device the proxy polls (or polled), from any replica. */
export async function listPollers(store: SyncStore, raw: unknown): Promise<ListAnswer<unknown>> {
  const q = parseQuery(raw, (v) => parsePollerId(v) !== null);
  const page = await store.admin.pollers(storeQuery(q));
  return listAnswer('pollers', 'sync-poller', q, page, (p: PollerStatus) => ({
    user_id: p.userId,
    device_id: p.deviceId,
    state: p.state,
    lease_owner: p.leaseOwner,
    lease_expires_at: iso(p.leaseExpiresAt),
    last_request_at: iso(p.lastRequestAt),
    last_poll_at: iso(p.lastPollAt),
    lag_seconds: p.lagSeconds,
    consecutive_errors: p.consecutiveErrors,
    last_error: p.lastError,
    last_error_at: iso(p.lastErrorAt),
  }));
}

/** `GET /admin/v1/connections`: sliding-sync connections, oldest first. */
export async function listConnections(store: SyncStore, raw: unknown): Promise<ListAnswer<unknown>> {
  const q = parseQuery(raw, isConnectionId);
  const page = await store.admin.connections(storeQuery(q));
  return listAnswer('connections', 'sync-connection', q, page, (c: ConnectionStatus) => ({
    user_id: c.userId,
    device_id: c.deviceId,
    conn_id: c.connId,
    protocol: c.protocol,
    created_at: iso(c.createdAt),
    last_used_at: iso(c.lastUsedAt),
    pos: c.pos === null ? null : String(c.pos),
    acknowledged_pos: c.acknowledgedPos === null ? null : String(c.acknowledgedPos),
    rooms: c.rooms,
    room_subscriptions: c.roomSubscriptions,
  }));
}
