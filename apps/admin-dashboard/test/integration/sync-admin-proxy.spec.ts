import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startService, stopService, waitHealthy, type RunningService } from '@gateway/testing';

const ROOT = resolve(__dirname, '../../../..');

/** The built dashboard server, with or without DASHBOARD_SYNC_ADMIN_URL. */
async function startDashboard(
  syncAdminUrl: string | undefined,
): Promise<{ url: string; service: RunningService }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startService(
    ROOT,
    {
      name: 'admin-dashboard',
      main: 'dist/apps/admin-dashboard/main.js',
      url,
      env: {
        DASHBOARD_BIND: `127.0.0.1:${port}`,
        DASHBOARD_PUBLIC_URL: `${url}/`,
        // Never called here: these tests stay on the sync proxy's paths.
        DASHBOARD_AUTH_ISSUER: 'http://127.0.0.1:9/',
        DASHBOARD_CLIENT_ID: 'admin-dashboard',
        ...(syncAdminUrl === undefined ? {} : { DASHBOARD_SYNC_ADMIN_URL: syncAdminUrl }),
      },
    },
    () => undefined,
    () => undefined,
  );
  await waitHealthy(url);
  return { url, service };
}

// What the Sync page hears from the dashboard server when the sync proxy's admin API is not there: the
// configured, reachable case is the browser test's.
describe('the dashboard server’s sync proxy admin route', () => {
  let unconfigured: { url: string; service: RunningService };
  let unreachable: { url: string; service: RunningService };

  beforeAll(async () => {
    // Nothing listens on port 9 (discard), so the configured upstream cannot be reached.
    [unconfigured, unreachable] = await Promise.all([
      startDashboard(undefined),
      startDashboard('http://127.0.0.1:9'),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stopService(unconfigured.service), stopService(unreachable.service)]);
  });

  const get = async (base: string) => {
    const res = await fetch(`${base}/api/sync/v1/pollers?page[first]=5`, {
      headers: { Authorization: 'Bearer some-admin-token' },
    });
    return { status: res.status, body: await res.json() };
  };

  it('answers 404 in the admin API’s shape when DASHBOARD_SYNC_ADMIN_URL is unset', async () => {
    expect(await get(unconfigured.url)).toEqual({
      status: 404,
      body: { errors: [{ title: 'The sync proxy admin API is not configured (DASHBOARD_SYNC_ADMIN_URL)' }] },
    });
  });

  it('answers 502 naming the sync proxy when its listener cannot be reached', async () => {
    expect(await get(unreachable.url)).toEqual({
      status: 502,
      body: { errors: [{ title: 'The sync proxy cannot be reached' }] },
    });
  });
});
