// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminApi, JsonClient } from '../api/client';
import type { RtcApi } from '../api/rtc-api';
import { SyncAdminApi } from '../api/sync-admin';
import type { AuthSession } from '../lib/auth';
import { ServicesContext } from '../lib/context';
import { Sync } from './Sync';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The dashboard server as the page reaches it: one answer per path (pollers, connections). */
function serve(answers: Record<string, { status: number; body: unknown }>): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    asked.push(url);
    const path = url.split('?')[0] ?? '';
    const answer = answers[path] ?? { status: 404, body: {} };
    return Promise.resolve(new Response(JSON.stringify(answer.body), { status: answer.status }));
  });
  return asked;
}

/** The page as /config.json configures it: the sync proxy's admin API there or not. */
function renderPage(configured: boolean): void {
  const sync = new SyncAdminApi(() => Promise.resolve('admin-token'), configured);
  render(
    <ServicesContext
      value={{
        api: {} as AdminApi,
        rtc: {} as RtcApi,
        sync,
        metrics: {} as JsonClient,
        session: {} as AuthSession,
      }}
    >
      <Sync />
    </ServicesContext>,
  );
}

const emptyList = { meta: { count: 0 }, data: [], links: {} };

describe('Sync page', () => {
  it('says the sync proxy admin API is not configured, and asks nothing', () => {
    const asked = serve({});
    renderPage(false);
    expect(screen.getByRole('heading', { name: 'Not configured' })).toBeTruthy();
    expect(screen.getByText('DASHBOARD_SYNC_ADMIN_URL')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('shows a failing poller as backing off and late, with its errors, and empty connections', async () => {
    const asked = serve({
      '/api/sync/v1/pollers': {
        status: 200,
        body: {
          meta: { count: 1 },
          data: [
            {
              type: 'sync-poller',
              id: 'p1',
              attributes: {
                user_id: '@alice:example.org',
                device_id: 'PHONE',
                state: 'backing-off',
                lease_owner: 'sync-0',
                lease_expires_at: '2026-12-06T02:00:20Z',
                last_request_at: '2026-12-06T01:59:00Z',
                last_poll_at: '2026-12-06T01:55:00Z',
                lag_seconds: 300,
                consecutive_errors: 4,
                last_error: 'upstream answered 502',
                last_error_at: '2026-12-06T02:00:00Z',
              },
            },
          ],
          links: {},
        },
      },
      '/api/sync/v1/connections': { status: 200, body: emptyList },
    });
    renderPage(true);
    const row = (await screen.findByRole('table', { name: 'Pollers' })).querySelector('tbody tr');
    expect(row?.textContent).toContain('Backing off');
    expect(row?.textContent).toContain('5 min 0 s');
    expect(row?.textContent).toContain('4 in a row');
    expect(row?.textContent).toContain('upstream answered 502');
    expect(row?.querySelector('td.late')).not.toBeNull();
    expect(await screen.findByText('No sliding-sync connections are open.')).toBeTruthy();
    expect(asked).toContain('/api/sync/v1/pollers?page%5Bfirst%5D=20');
  });
});
