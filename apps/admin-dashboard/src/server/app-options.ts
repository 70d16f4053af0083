import type { AppOptions } from '@gateway/server';
import type { DashboardConfig } from './config';
import { configureDashboardFastify } from './fastify-setup';
import { loadStaticFiles } from './static-files';

/** How the dashboard is served; shared by main.ts and the tests, so tests run what production runs. */
export function dashboardAppOptions(config: DashboardConfig): AppOptions & { bind: DashboardConfig['bind'] } {
  return {
    name: 'admin-dashboard',
    logLevel: config.logLevel,
    bind: config.bind,
    // Admin API bodies are small JSON documents; token requests are forms of a few hundred bytes.
    bodyLimit: 256 * 1024,
    trustedProxies: config.trustedProxies,
    metricsBind: config.metricsBind,
    configureFastify: configureDashboardFastify(config, loadStaticFiles(config.staticDir)),
  };
}
