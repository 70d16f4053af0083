import { JsonClient, type TokenSource } from './client';
import type { ListAnswer } from '../lib/use-paged';

/**
 * The sync proxy's admin API (apps/sync-proxy/README.md), through the dashboard server's
 * `/api/sync/v1/*`. It has no OpenAPI document, so its answers are typed here by hand from the
 * proxy's `src/admin/admin-views.ts`; the browser test reads them from the real service.
 */

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

/** `configured` is false when the server has no DASHBOARD_SYNC_ADMIN_URL (/config.json says so). */
export class SyncAdminApi {
  private readonly client: JsonClient;

  constructor(
    token: TokenSource,
    readonly configured: boolean,
  ) {
    this.client = new JsonClient(token, '/api/sync/v1');
  }

  async pollers(query: SyncListQuery): Promise<ListAnswer<SyncPoller>> {
    return (await this.client.request('GET', '/pollers', { query: { ...query } })) as ListAnswer<SyncPoller>;
  }

  async connections(query: SyncListQuery): Promise<ListAnswer<SyncConnection>> {
    return (await this.client.request('GET', '/connections', {
      query: { ...query },
    })) as ListAnswer<SyncConnection>;
  }
}
