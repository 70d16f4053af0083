import { join } from 'node:path';
import {
  bindAddress,
  cidrList,
  httpUrl,
  integer,
  logLevel,
  optionalBindAddress,
  readEnv,
  z,
  type Env,
} from '@gateway/config';

const noQueryOrFragment = (v: string) => !v.includes('?') && !v.includes('#');

/** The dashboard server's environment; see apps/admin-dashboard/README.md. */
const schema = z.object({
  DASHBOARD_BIND: bindAddress('0.0.0.0:8080'),
  DASHBOARD_METRICS_BIND: optionalBindAddress(),
  DASHBOARD_TRUSTED_PROXIES: cidrList(),
  DASHBOARD_LOG_LEVEL: logLevel(),
  /** Where people reach the dashboard; the OAuth redirect URI is this plus `callback`. */
  DASHBOARD_PUBLIC_URL: httpUrl().refine(noQueryOrFragment, 'must not have a query or fragment'),
  /** The auth service's issuer as browsers reach it (the sign-in page is there). */
  DASHBOARD_AUTH_ISSUER: httpUrl().refine(noQueryOrFragment, 'must not have a query or fragment'),
  /**
   * Where this server reaches the auth service to proxy the admin API and the token endpoints (an
   * internal address); the issuer when unset.
   */
  DASHBOARD_AUTH_SERVICE_URL: httpUrl().optional(),
  /**
   * The rtc-jwt-service's internal listener (its RTC_METRICS_BIND, serving `/admin/v1/`), for the RTC
   * page; unset, the page says the RTC admin API is not configured.
   */
  DASHBOARD_RTC_ADMIN_URL: httpUrl()
    .refine(noQueryOrFragment, 'must not have a query or fragment')
    .optional(),
  /**
   * The sync proxy's admin API (its SYNCV3_PROM listener, e.g. `http://sync-proxy:2112`); unset: the Sync
   * page says it is not configured.
   */
  DASHBOARD_SYNC_ADMIN_URL: httpUrl()
    .refine(noQueryOrFragment, 'must not have a query or fragment')
    .optional(),
  /**
   * The auth service's internal listener (its AUTH_METRICS_BIND), whose `/metrics` the overview's
   * charts sample; unset, the auth service has no charts. The RTC and sync charts come from the
   * listeners above.
   */
  DASHBOARD_AUTH_METRICS_URL: httpUrl()
    .refine(noQueryOrFragment, 'must not have a query or fragment')
    .optional(),
  /** How often the services' `/metrics` are sampled for the overview's charts (the last hour is kept). */
  DASHBOARD_METRICS_INTERVAL_SECONDS: integer(15, 1, 300),
  /** The auth service's AUTH_DASHBOARD_CLIENT_ID. */
  DASHBOARD_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._~-]'),
  /** The built single-page app; the `web` folder next to main.js by default. */
  DASHBOARD_STATIC_DIR: z.string().min(1).optional(),
});

export type DashboardConfig = ReturnType<typeof toConfig>;

function toConfig(v: z.output<typeof schema>, defaultStaticDir: string) {
  const publicUrl = v.DASHBOARD_PUBLIC_URL.endsWith('/')
    ? v.DASHBOARD_PUBLIC_URL
    : `${v.DASHBOARD_PUBLIC_URL}/`;
  const issuer = v.DASHBOARD_AUTH_ISSUER.endsWith('/')
    ? v.DASHBOARD_AUTH_ISSUER
    : `${v.DASHBOARD_AUTH_ISSUER}/`;
  return {
    bind: v.DASHBOARD_BIND,
    metricsBind: v.DASHBOARD_METRICS_BIND,
    trustedProxies: v.DASHBOARD_TRUSTED_PROXIES,
    logLevel: v.DASHBOARD_LOG_LEVEL,
    publicUrl,
    issuer,
    /** Base URL (no trailing slash) the proxy forwards to. */
    upstream: (v.DASHBOARD_AUTH_SERVICE_URL ?? issuer).replace(/\/+$/, ''),
    /** Base URL (no trailing slash) of the RTC service's internal listener; null when not configured. */
    rtcAdmin: v.DASHBOARD_RTC_ADMIN_URL === undefined ? null : v.DASHBOARD_RTC_ADMIN_URL.replace(/\/+$/, ''),
    /** Base URL (no trailing slash) of the sync proxy's admin listener; null when not configured. */
    syncAdmin:
      v.DASHBOARD_SYNC_ADMIN_URL === undefined ? null : v.DASHBOARD_SYNC_ADMIN_URL.replace(/\/+$/, ''),
    /** Base URL (no trailing slash) of the auth service's internal listener; null when not configured. */
    authMetrics:
      v.DASHBOARD_AUTH_METRICS_URL === undefined ? null : v.DASHBOARD_AUTH_METRICS_URL.replace(/\/+$/, ''),
    metricsIntervalSeconds: v.DASHBOARD_METRICS_INTERVAL_SECONDS,
    clientId: v.DASHBOARD_CLIENT_ID,
    redirectUri: `${publicUrl}callback`,
    staticDir: v.DASHBOARD_STATIC_DIR ?? defaultStaticDir,
  };
}

export function loadDashboardConfig(env: Env, defaultStaticDir = join(__dirname, 'web')): DashboardConfig {
  return toConfig(readEnv(schema, env), defaultStaticDir);
}
