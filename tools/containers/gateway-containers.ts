import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_TARGETS, podman, podmanOk, ULIMITS, type GatewayImages, type ImageTarget } from './podman';

/** The user docker/Dockerfile runs as. */
export const IMAGE_UID = 10001;
/** The admin dashboard's client id at the auth container (not the default, to see the setting apply). */
export const DASHBOARD_CLIENT_ID = 'gateway-console';

export interface GatewayContainersOptions {
  images: GatewayImages;
  /** The homeserver the services sit in front of, as reachable on the host's loopback. */
  synapse: { baseUrl: string; serverName: string };
  /** The homeserver delegating its auth to the auth service, when not `synapse` itself. */
  authSynapse?: { baseUrl: string; serverName: string };
  /** Loopback ports the four containers bind (host networking). */
  ports: Record<ImageTarget, number>;
  /** Shared with Synapse's matrix_authentication_service.secret. */
  authSecret: string;
  authDatabaseUrl: string;
  syncDatabaseUrl: string;
  redisUrl: string;
  livekit: { url: string; key: string; secret: string };
}

export interface GatewayContainers {
  /** Base URLs of the running services, e.g. for a conformance run against the containers. */
  urls: Record<ImageTarget, string> & { synapse: string };
  /** Container names, for podman exec / logs / stop. */
  names: Record<ImageTarget, string>;
  /** Each service's environment, as passed to its container. */
  env: Record<ImageTarget, Record<string, string>>;
  logs(target: ImageTarget): Promise<string>;
  /** Removes every container and the auth service's data volume. */
  remove(): Promise<void>;
}

/**
 * Starts the four images (the three services and the admin dashboard, which the auth service knows as
 * its dashboard client) the way an operator runs them hardened: read-only root filesystem
 * (podman adds tmpfs on /tmp), the image's non-root user, no added capabilities, host networking on
 * loopback ports. The auth service's signing keys go to a host directory mounted at /data.
 */
export async function startGatewayContainers(o: GatewayContainersOptions): Promise<GatewayContainers> {
  const run = `gw-${Date.now().toString(36)}`;
  const names: Record<ImageTarget, string> = {
    'auth-service': `${run}-auth`,
    'rtc-jwt-service': `${run}-rtc`,
    'sync-proxy': `${run}-sync`,
    'admin-dashboard': `${run}-dashboard`,
  };
  const url = (t: ImageTarget): string => `http://127.0.0.1:${o.ports[t]}`;
  const authData = mkdtempSync(join(tmpdir(), 'gw-auth-data-'));
  chownSync(authData, IMAGE_UID, IMAGE_UID);
  chmodSync(authData, 0o700);
  const authSynapse = o.authSynapse ?? o.synapse;
  const env: Record<ImageTarget, Record<string, string>> = {
    'auth-service': {
      AUTH_BIND: `127.0.0.1:${o.ports['auth-service']}`,
      AUTH_ISSUER: `${url('auth-service')}/`,
      AUTH_DATABASE_URL: o.authDatabaseUrl,
      AUTH_REDIS_URL: o.redisUrl,
      AUTH_HOMESERVER: authSynapse.serverName,
      AUTH_SYNAPSE_URL: authSynapse.baseUrl,
      AUTH_SYNAPSE_SECRET: o.authSecret,
      AUTH_SIGNING_KEY_FILE: '/data/signing-keys.json',
      AUTH_DASHBOARD_CLIENT_ID: DASHBOARD_CLIENT_ID,
      AUTH_DASHBOARD_REDIRECT_URI: `${url('admin-dashboard')}/callback`,
      HEALTHCHECK_URL: `${url('auth-service')}/health`,
    },
    'rtc-jwt-service': {
      LIVEKIT_JWT_BIND: `127.0.0.1:${o.ports['rtc-jwt-service']}`,
      LIVEKIT_URL: o.livekit.url,
      LIVEKIT_KEY: o.livekit.key,
      LIVEKIT_SECRET: o.livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: o.synapse.serverName,
      LIVEKIT_CS_API_URL_OVERRIDES: `${o.synapse.serverName}=${o.synapse.baseUrl}`,
      LIVEKIT_FEDERATION_URL_OVERRIDES: `${o.synapse.serverName}=${o.synapse.baseUrl}`,
      RTC_ALLOW_PRIVATE_HOMESERVERS: o.synapse.serverName,
      HEALTHCHECK_URL: `${url('rtc-jwt-service')}/health`,
    },
    'sync-proxy': {
      SYNCV3_BINDADDR: `127.0.0.1:${o.ports['sync-proxy']}`,
      SYNCV3_SERVER: o.synapse.baseUrl,
      SYNCV3_DB: o.syncDatabaseUrl,
      SYNCV3_SECRET: 'container-test-secret-0123456789abcdef',
      SYNCV3_REDIS: o.redisUrl,
      // Clients given only the proxy's URL find it, and the RTC focus, through its well-known document.
      SYNCV3_PUBLIC_URL: url('sync-proxy'),
      SYNCV3_LIVEKIT_SERVICE_URL: url('rtc-jwt-service'),
      HEALTHCHECK_URL: `${url('sync-proxy')}/health`,
    },
    'admin-dashboard': {
      DASHBOARD_BIND: `127.0.0.1:${o.ports['admin-dashboard']}`,
      DASHBOARD_PUBLIC_URL: `${url('admin-dashboard')}/`,
      DASHBOARD_AUTH_ISSUER: `${url('auth-service')}/`,
      DASHBOARD_AUTH_SERVICE_URL: url('auth-service'),
      DASHBOARD_CLIENT_ID: DASHBOARD_CLIENT_ID,
      HEALTHCHECK_URL: `${url('admin-dashboard')}/health`,
    },
  };
  const targets: ImageTarget[] = [...IMAGE_TARGETS];
  const remove = async (): Promise<void> => {
    for (const t of targets) await podman(['rm', '-f', '-t', '0', names[t]]);
    rmSync(authData, { recursive: true, force: true });
  };
  try {
    for (const t of targets) {
      const volume = t === 'auth-service' ? ['-v', `${authData}:/data`] : [];
      await podmanOk([
        'run',
        '-d',
        '--name',
        names[t],
        ...hardened(),
        ...volume,
        ...envArgs(env[t]),
        o.images[t],
      ]);
    }
    await Promise.all(targets.map((t) => waitForHealth(url(t), () => podmanLogs(names[t]))));
  } catch (err) {
    const logs = await Promise.all(targets.map(async (t) => `--- ${t}\n${await podmanLogs(names[t])}`));
    await remove();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
  return {
    urls: {
      'auth-service': url('auth-service'),
      'rtc-jwt-service': url('rtc-jwt-service'),
      'sync-proxy': url('sync-proxy'),
      'admin-dashboard': url('admin-dashboard'),
      synapse: o.synapse.baseUrl,
    },
    names,
    env,
    logs: (t) => podmanLogs(names[t]),
    remove,
  };
}

/**
 * The run flags the tests hold the images to: read-only root filesystem, no capabilities, no privilege
 * escalation, host networking, and the rlimits podman can set here. No --user: the image's own is used.
 * No HEALTHCHECK timer either (it needs systemd); `podman healthcheck run` runs the check on demand.
 */
export function hardened(): string[] {
  return [
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--network',
    'host',
    '--health-interval',
    'disable',
    ...ULIMITS,
  ];
}

export function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

async function podmanLogs(name: string): Promise<string> {
  const r = await podman(['logs', name]);
  return (r.stdout + r.stderr).split('\n').slice(-40).join('\n');
}

async function waitForHealth(base: string, logs: () => Promise<string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base}/health did not answer within ${timeoutMs} ms\n${await logs()}`);
}
