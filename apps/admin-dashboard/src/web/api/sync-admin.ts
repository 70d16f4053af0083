import { ApiError, operationUrl, type TokenSource } from './client';
import type { ListAnswer } from '../lib/use-paged';

/**
 * The sync proxy's admin API (apps/sync-proxy/README.md), through the dashboard server's
 * `/sync-proxy/admin/v1/*`. It has no OpenAPI document, so its answers are typed here by hand from the
 * proxy's `src/admin/admin-views.ts`; the browser test reads them from the real service.
 */
const PREFIX = '/sync-proxy';

export type PollerState = 'running' | 'initial-sync' | 'backing-off' | 'unleased' | 'token-rejected' | 'idle';

export interface SyncPoller {
  type: 'sync-poller';
  id: string;
  attributes: {
    user_id: string;
    device_id: string;
    state: PollerState;
    lease_owner: string | null;
    lease_expires_at: string | null;
    last_request_at: string | null;
    last_poll_at: string | null;
    lag_seconds: number | null;
    consecutive_errors: number;
    last_error: string | null;
    last_error_at: string | null;
  };
}

export interface SyncConnection {
  type: 'sync-connection';
  id: string;
  attributes: {
    user_id: string;
    device_id: string;
    conn_id: string;
    protocol: string | null;
    created_at: string;
    last_used_at: string;
    pos: string | null;
    acknowledged_pos: string | null;
    rooms: number;
    room_subscriptions: number;
  };
}

export interface SyncListQuery {
  'filter[user]'?: string;
  'page[first]'?: number;
  'page[last]'?: number;
  'page[after]'?: string;
  'page[before]'?: string;
}

export class SyncAdminApi {
  constructor(private readonly token: TokenSource) {}

  pollers(query: SyncListQuery): Promise<ListAnswer<SyncPoller>> {
    return this.get(operationUrl('/admin/v1/pollers', undefined, { ...query }));
  }

  connections(query: SyncListQuery): Promise<ListAnswer<SyncConnection>> {
    return this.get(operationUrl('/admin/v1/connections', undefined, { ...query }));
  }

  /** One GET; an expired token is refreshed once and the call repeated, as AdminApi does. */
  private async get<T>(path: string): Promise<T> {
    const once = async (refresh: boolean) =>
      fetch(`${PREFIX}${path}`, {
        headers: { Accept: 'application/json', Authorization: `Bearer ${await this.token(refresh)}` },
      });
    let res = await once(false);
    if (res.status === 401) res = await once(true);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      // a proxy's HTML error page: the status says enough
    }
    if (!res.ok) {
      const errors = (json as { errors?: { title?: unknown }[] } | null)?.errors ?? [];
      throw new ApiError(
        res.status,
        errors.map((e) => (typeof e.title === 'string' ? e.title : '')).filter((t) => t !== ''),
      );
    }
    return json as T;
  }
}
