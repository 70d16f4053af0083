import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from '../free-port';
import type { SynapseOptions } from '../synapse/homeserver-config';
import { startSynapse, type Synapse } from '../synapse/synapse';
import {
  startService,
  stopService,
  waitHealthy,
  type RunningService,
  type ServiceOutput,
  type ServiceSpec,
} from './services';

/** The dashboard's client id at the auth service (AUTH_DASHBOARD_CLIENT_ID). */
export const DASHBOARD_CLIENT_ID = 'admin-dashboard';

/** What a stack of the three built services in front of a delegated Synapse is started with. */
export interface GatewayStackOptions {
  /** The repository root: the services run from its `dist/apps/<app>/main.js`. */
  root: string;
  /** Fixed ports (npm start's); free ones are picked where not given. */
  ports?: {
    sync?: number;
    rtc?: number;
    auth?: number;
    dashboard?: number;
    rtcAdmin?: number;
    syncAdmin?: number;
    authMetrics?: number;
  };
  /**
   * Also run the admin dashboard (dist/apps/admin-dashboard), registered with the auth service as its
   * public client `admin-dashboard`, and the rtc-jwt-service's admin API on its internal listener
   * (`ports.rtcAdmin`), checking tokens as the auth service's admin client `rtc-jwt-service`, and the
   * sync proxy's on its SYNCV3_PROM listener (`ports.syncAdmin`), as the admin client `sync-proxy`.
   */
  dashboard?: boolean;
  /** More dashboard settings (e.g. DASHBOARD_METRICS_INTERVAL_SECONDS), over the stack's own. */
  dashboardEnv?: Record<string, string>;
  /** More auth service settings (e.g. AUTH_REGISTRATION_ENABLED), over the stack's own. */
  authEnv?: Record<string, string>;
  databases: { auth: string; sync: string };
  redisUrl: string;
  livekit: { url: string; key: string; secret: string };
  /** SYNCV3_SECRET; keep it across runs on the same database (it encrypts stored tokens). Default: random. */
  syncSecret?: string;
  /** The auth service's JWKS file (created when absent). */
  signingKeyFile: string;
  /** Where the services' log lines go (default: stdout, prefixed with the service's name). */
  output?: ServiceOutput;
  /** Called when a service exits on its own. */
  onExit?: (name: string, code: number | null) => void;
}

export interface GatewayStack {
  synapse: Synapse;
  auth: ServiceSpec;
  rtc: ServiceSpec;
  sync: ServiceSpec;
  /** The admin dashboard, when asked for. */
  dashboard: ServiceSpec | null;
  /** The rtc-jwt-service's internal listener (its admin API and /metrics), with the dashboard. */
  rtcAdminUrl: string | null;
  /** The sync proxy's internal listener (its admin API and /metrics), with the dashboard. */
  syncAdminUrl: string | null;
  /** The auth service's issuer, `http://127.0.0.1:<port>/`. */
  issuer: string;
  /** Creates (or re-passwords) an account through the auth service's operator CLI, as an operator does. */
  addUser(username: string, password: string, options?: { admin?: boolean }): void;
  stop(): Promise<void>;
}

/**
 * The dev Synapse of the stack: all authentication delegated to the auth service (MSC3861, MAS's API),
 * MatrixRTC transports advertised at `/_matrix/client/unstable/org.matrix.msc4143/rtc/transports`, and
 * MSC4108 QR-code login's rendezvous (which Synapse allows only in delegated mode), as Element X needs.
 */
export function gatewaySynapseOptions(issuer: string, secret: string, rtcServiceUrl: string): SynapseOptions {
  return {
    mode: 'delegated',
    authService: { endpoint: issuer, secret },
    rtcServiceUrls: [rtcServiceUrl],
    extra: { experimental_features: { msc4143_enabled: true, msc4108_enabled: true } },
  };
}

/**
 * Starts what `npm start` runs: a delegated Synapse from the test bed, then the built auth service,
 * rtc-jwt-service and sync-proxy, the sync-proxy announcing itself and the RTC service in its
 * `/.well-known/matrix/client`. Resolves once every service answers `/health`.
 */
export async function startGatewayStack(options: GatewayStackOptions): Promise<GatewayStack> {
  const port = async (given: number | undefined): Promise<number> => given ?? (await freePort());
  const ports = {
    sync: await port(options.ports?.sync),
    rtc: await port(options.ports?.rtc),
    auth: await port(options.ports?.auth),
    dashboard: options.dashboard === true ? await port(options.ports?.dashboard) : 0,
    rtcAdmin: options.dashboard === true ? await port(options.ports?.rtcAdmin) : 0,
    syncAdmin: options.dashboard === true ? await port(options.ports?.syncAdmin) : 0,
    authMetrics: options.dashboard === true ? await port(options.ports?.authMetrics) : 0,
  };
  const rtcAdminUrl = options.dashboard === true ? `http://127.0.0.1:${ports.rtcAdmin}` : null;
  // The RTC service checks the dashboard's tokens by introspection, as one of the auth service's admin
  // clients (added to any the caller gives).
  const rtcAdminClient = { id: 'rtc-jwt-service', secret: randomBytes(24).toString('hex') };
  const syncAdminUrl = options.dashboard === true ? `http://127.0.0.1:${ports.syncAdmin}` : null;
  const syncAdminClient = { id: 'sync-proxy', secret: randomBytes(24).toString('hex') };
  const adminClients = [
    ...(options.authEnv?.['AUTH_ADMIN_CLIENTS'] ? [options.authEnv['AUTH_ADMIN_CLIENTS']] : []),
    ...(options.dashboard === true ? [`${rtcAdminClient.id}:${rtcAdminClient.secret}`] : []),
    ...(options.dashboard === true ? [`${syncAdminClient.id}:${syncAdminClient.secret}`] : []),
  ].join(',');
  const dashboardUrl = `http://127.0.0.1:${ports.dashboard}`;
  const secret = randomBytes(24).toString('hex');
  const issuer = `http://127.0.0.1:${ports.auth}/`;
  const rtcUrl = `http://127.0.0.1:${ports.rtc}`;
  const syncUrl = `http://127.0.0.1:${ports.sync}`;
  const synapse = await startSynapse(gatewaySynapseOptions(issuer, secret, rtcUrl));

  const auth: ServiceSpec = {
    name: 'auth-service',
    main: 'dist/apps/auth-service/main.js',
    url: `http://127.0.0.1:${ports.auth}`,
    env: {
      AUTH_BIND: `127.0.0.1:${ports.auth}`,
      AUTH_ISSUER: issuer,
      AUTH_DATABASE_URL: options.databases.auth,
      AUTH_REDIS_URL: options.redisUrl,
      AUTH_HOMESERVER: synapse.serverName,
      AUTH_SYNAPSE_URL: synapse.baseUrl,
      AUTH_SYNAPSE_SECRET: secret,
      AUTH_SIGNING_KEY_FILE: options.signingKeyFile,
      ...(options.dashboard === true
        ? {
            // Its /metrics, which the dashboard's overview charts sample.
            AUTH_METRICS_BIND: `127.0.0.1:${ports.authMetrics}`,
            AUTH_DASHBOARD_CLIENT_ID: DASHBOARD_CLIENT_ID,
            AUTH_DASHBOARD_REDIRECT_URI: `${dashboardUrl}/callback`,
          }
        : {}),
      ...options.authEnv,
      ...(adminClients === '' ? {} : { AUTH_ADMIN_CLIENTS: adminClients }),
    },
  };
  const dashboard: ServiceSpec | null =
    options.dashboard === true
      ? {
          name: 'admin-dashboard',
          main: 'dist/apps/admin-dashboard/main.js',
          url: dashboardUrl,
          env: {
            DASHBOARD_BIND: `127.0.0.1:${ports.dashboard}`,
            DASHBOARD_PUBLIC_URL: `${dashboardUrl}/`,
            DASHBOARD_AUTH_ISSUER: issuer,
            DASHBOARD_CLIENT_ID: DASHBOARD_CLIENT_ID,
            ...(rtcAdminUrl === null ? {} : { DASHBOARD_RTC_ADMIN_URL: rtcAdminUrl }),
            ...(syncAdminUrl === null ? {} : { DASHBOARD_SYNC_ADMIN_URL: syncAdminUrl }),
            DASHBOARD_AUTH_METRICS_URL: `http://127.0.0.1:${ports.authMetrics}`,
            ...options.dashboardEnv,
          },
        }
      : null;
  const rtc: ServiceSpec = {
    name: 'rtc-jwt-service',
    main: 'dist/apps/rtc-jwt-service/main.js',
    url: rtcUrl,
    env: {
      LIVEKIT_JWT_BIND: `127.0.0.1:${ports.rtc}`,
      LIVEKIT_URL: options.livekit.url,
      LIVEKIT_KEY: options.livekit.key,
      LIVEKIT_SECRET: options.livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: synapse.serverName,
      LIVEKIT_FEDERATION_URL_OVERRIDES: `${synapse.serverName}=${synapse.baseUrl}`,
      LIVEKIT_CS_API_URL_OVERRIDES: `${synapse.serverName}=${synapse.baseUrl}`,
      LIVEKIT_REDIS_URL: options.redisUrl,
      ...(options.dashboard === true
        ? {
            RTC_METRICS_BIND: `127.0.0.1:${ports.rtcAdmin}`,
            RTC_ADMIN_AUTH_URL: issuer,
            RTC_ADMIN_CLIENT_ID: rtcAdminClient.id,
            RTC_ADMIN_CLIENT_SECRET: rtcAdminClient.secret,
          }
        : {}),
    },
  };
  const sync: ServiceSpec = {
    name: 'sync-proxy',
    main: 'dist/apps/sync-proxy/main.js',
    url: syncUrl,
    env: {
      SYNCV3_BINDADDR: `127.0.0.1:${ports.sync}`,
      SYNCV3_SERVER: synapse.baseUrl,
      SYNCV3_DB: options.databases.sync,
      SYNCV3_SECRET: options.syncSecret ?? randomBytes(32).toString('hex'),
      SYNCV3_REDIS: options.redisUrl,
      // Clients given the proxy's URL find it, the auth service and the RTC service from here.
      SYNCV3_PUBLIC_URL: syncUrl,
      SYNCV3_LIVEKIT_SERVICE_URL: rtcUrl,
      // Synapse delegates auth, so the legacy /login, /logout and /refresh are the auth service's.
      SYNCV3_AUTH_SERVICE_URL: issuer,
      ...(options.dashboard === true
        ? {
            SYNCV3_PROM: `127.0.0.1:${ports.syncAdmin}`,
            SYNCV3_ADMIN_AUTH_URL: issuer,
            SYNCV3_ADMIN_CLIENT_ID: syncAdminClient.id,
            SYNCV3_ADMIN_CLIENT_SECRET: syncAdminClient.secret,
          }
        : {}),
    },
  };

  const running: RunningService[] = [];
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(running.map(stopService));
    await synapse.stop();
  };
  try {
    const specs = [auth, rtc, sync, ...(dashboard === null ? [] : [dashboard])];
    for (const spec of specs) {
      running.push(
        startService(
          options.root,
          spec,
          (name, code) => {
            if (!stopping) options.onExit?.(name, code);
          },
          options.output,
        ),
      );
    }
    await Promise.all(specs.map((s) => waitHealthy(s.url)));
  } catch (err) {
    await stop();
    throw err;
  }
  const cli = (...args: string[]): void => {
    execFileSync(process.execPath, [resolve(options.root, 'dist/apps/auth-service/cli.js'), ...args], {
      env: { ...process.env, ...auth.env },
      stdio: 'pipe',
    });
  };
  return {
    synapse,
    auth,
    rtc,
    sync,
    dashboard,
    rtcAdminUrl,
    syncAdminUrl,
    issuer,
    addUser: (username, password, opts = {}) => {
      try {
        cli('user', 'add', username, '--password', password, ...(opts.admin === true ? ['--admin'] : []));
      } catch {
        cli('user', 'set-password', username, '--password', password);
      }
    },
    stop,
  };
}
