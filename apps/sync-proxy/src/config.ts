import {
  anyUrl,
  bindAddress,
  ConfigError,
  cidrList,
  httpUrl,
  integer,
  logLevel,
  optionalBindAddress,
  readEnv,
  z,
  type Env,
} from '@gateway/config';

/** The sync proxy's environment, named as the Go sliding-sync proxy's; see apps/sync-proxy/README.md. */
const schema = z.object({
  SYNCV3_SERVER: httpUrl(),
  SYNCV3_DB: anyUrl(['postgres:', 'postgresql:']),
  SYNCV3_SECRET: z.string().min(1, 'must not be empty'),
  SYNCV3_BINDADDR: bindAddress('0.0.0.0:8008'),
  SYNCV3_LOG_LEVEL: logLevel(),
  // The Go proxy reads 0 as "unlimited"; a pool needs a bound, so 0 means the default of 10.
  SYNCV3_MAX_DB_CONN: integer(0, 0, 10_000),
  SYNCV3_REDIS: anyUrl(['redis:', 'rediss:']).optional(),
  // Discovery (/.well-known/matrix/client): the proxy's own public URL, and the MatrixRTC focus (MSC4143).
  SYNCV3_PUBLIC_URL: httpUrl().optional(),
  SYNCV3_LIVEKIT_SERVICE_URL: httpUrl().optional(),
  // The auth service's base URL: the legacy login paths Synapse stops serving in delegated mode
  // (/login, /logout, /refresh) go there instead of to SYNCV3_SERVER.
  SYNCV3_AUTH_SERVICE_URL: httpUrl().optional(),
  // The Go proxy's separate Prometheus listener (e.g. `:2112`), the only place /metrics is served.
  SYNCV3_PROM: optionalBindAddress(),
  // Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client, for the request log.
  SYNCV3_TRUSTED_PROXIES: cidrList(),
  // The admin API (pollers, connections) on the SYNCV3_PROM listener: the auth service that checks
  // admin tokens, and this service's client there (one of its AUTH_ADMIN_CLIENTS). All or none.
  SYNCV3_ADMIN_AUTH_URL: httpUrl().optional(),
  SYNCV3_ADMIN_CLIENT_ID: z.string().min(1, 'must not be empty').optional(),
  SYNCV3_ADMIN_CLIENT_SECRET: z.string().min(1, 'must not be empty').optional(),
});

/** The parsed environment, in the names the code uses; the type is inferred from the schema. */
export type SyncConfig = ReturnType<typeof toConfig>;

function toConfig(v: z.output<typeof schema>) {
  return {
    bind: v.SYNCV3_BINDADDR,
    logLevel: v.SYNCV3_LOG_LEVEL,
    /** Upstream homeserver base URL, without a trailing slash. */
    upstream: v.SYNCV3_SERVER.replace(/\/+$/, ''),
    databaseUrl: v.SYNCV3_DB,
    maxDbConnections: v.SYNCV3_MAX_DB_CONN === 0 ? 10 : v.SYNCV3_MAX_DB_CONN,
    secret: v.SYNCV3_SECRET,
    redisUrl: v.SYNCV3_REDIS,
    /** Where to serve the metrics-only listener (SYNCV3_PROM), if anywhere. */
    promBind: v.SYNCV3_PROM,
    trustedProxies: v.SYNCV3_TRUSTED_PROXIES,
    /** Clients' base URL for this proxy (SYNCV3_PUBLIC_URL): `m.homeserver` in the well-known document. */
    publicUrl: v.SYNCV3_PUBLIC_URL?.replace(/\/+$/, ''),
    /** The RTC focus advertised as `org.matrix.msc4143.rtc_foci` (SYNCV3_LIVEKIT_SERVICE_URL). */
    livekitServiceUrl: v.SYNCV3_LIVEKIT_SERVICE_URL?.replace(/\/+$/, ''),
    /** Where the legacy login paths go (SYNCV3_AUTH_SERVICE_URL); unset: to the homeserver. */
    authServiceUrl: v.SYNCV3_AUTH_SERVICE_URL?.replace(/\/+$/, ''),
    /** Who checks admin tokens for the admin API (SYNCV3_ADMIN_*); null: the admin API is off. */
    admin: adminSettings(v),
    /** Logged once at start-up. */
    warnings:
      v.SYNCV3_SECRET.length < 32
        ? [
            'SYNCV3_SECRET is shorter than 32 characters; it encrypts stored tokens (use `openssl rand -hex 32`)',
          ]
        : [],
  };
}

const ADMIN_VARIABLES = [
  'SYNCV3_ADMIN_AUTH_URL',
  'SYNCV3_ADMIN_CLIENT_ID',
  'SYNCV3_ADMIN_CLIENT_SECRET',
] as const;

function adminSettings(
  v: z.output<typeof schema>,
): { authUrl: string; clientId: string; clientSecret: string } | null {
  if (
    v.SYNCV3_ADMIN_AUTH_URL === undefined ||
    v.SYNCV3_ADMIN_CLIENT_ID === undefined ||
    v.SYNCV3_ADMIN_CLIENT_SECRET === undefined
  )
    return null;
  return {
    authUrl: v.SYNCV3_ADMIN_AUTH_URL.replace(/\/+$/, ''),
    clientId: v.SYNCV3_ADMIN_CLIENT_ID,
    clientSecret: v.SYNCV3_ADMIN_CLIENT_SECRET,
  };
}

export function loadSyncConfig(env: Env): SyncConfig {
  const values = readEnv(schema, env);
  const set = ADMIN_VARIABLES.filter((name) => values[name] !== undefined);
  if (set.length > 0 && set.length < ADMIN_VARIABLES.length) {
    const missing = ADMIN_VARIABLES.filter((name) => values[name] === undefined);
    throw new ConfigError(
      missing.map((name) => `${name}: required with ${set.join(', ')} (set all of SYNCV3_ADMIN_*, or none)`),
    );
  }
  // The admin API is served only on the internal listener, never on the public port.
  if (set.length > 0 && values.SYNCV3_PROM === undefined)
    throw new ConfigError([
      'SYNCV3_PROM: required with SYNCV3_ADMIN_AUTH_URL (the admin API is served only on that internal listener)',
    ]);
  return toConfig(values);
}
