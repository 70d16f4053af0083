import {
  anyUrl,
  boolean,
  cidrList,
  commaList,
  ConfigError,
  integer,
  optionalBindAddress,
  parseBindAddress,
  readEnv,
  z,
  type BindAddress,
  type Env,
  type LogLevel,
} from '@gateway/config';
import { readFileSync } from 'node:fs';
import { parseServerName } from '@gateway/matrix';
import type { AdminIntrospectionConfig } from '@gateway/server';
import { readRegistrationTokens } from './membership/appservice-registration';
import { parseFederationUrlOverrides } from './openid/federation-url-overrides';

/**
 * lk-jwt-service's environment, read with its exact rules so an operator's compose file or Helm values
 * work unchanged (apps/rtc-jwt-service/README.md), plus this service's own `RTC_*` additions.
 *
 * Two zod schemas read through libs/config's readEnv: one for lk-jwt-service's secret files, one for
 * every other variable. lk-jwt-service's cross-variable rules, and its own start-up error texts, are
 * checked afterwards in toConfig (readEnv would prefix those texts with a variable name).
 */

/**
 * The key and secret files. lk-jwt-service's `LIVEKIT_KEY_FILE` holds "key: secret", which is not
 * readEnv's `<NAME>_FILE` (the value of NAME), so each file gets a name of its own here and readEnv
 * reads it through the variable lk-jwt-service documents; error messages name that variable.
 */
const secretFiles = z.object({
  LIVEKIT_KEY_FROM: z.string().optional(),
  LIVEKIT_SECRET_FROM: z.string().optional(),
  LIVEKIT_KEY_PAIR: z.string().optional(),
});

const LK_LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};
const TLS_MAGIC = 'YES_I_KNOW_WHAT_I_AM_DOING';

const schema = z.object({
  LIVEKIT_URL: anyUrl(['ws:', 'wss:', 'http:', 'https:']).optional(),
  LIVEKIT_KEY: z.string().optional(),
  LIVEKIT_SECRET: z.string().optional(),
  /** Commas become spaces, then split on whitespace, as lk-jwt-service does. */
  LIVEKIT_FULL_ACCESS_HOMESERVERS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .replaceAll(',', ' ')
        .split(/\s+/)
        .filter((s) => s !== ''),
    ),
  LIVEKIT_JWT_BIND: z.string().optional(),
  /** Deprecated by lk-jwt-service in favour of LIVEKIT_JWT_BIND; still honoured. */
  LIVEKIT_JWT_PORT: z.string().optional(),
  /** lk-jwt-service falls back to info on an unknown level rather than refusing to start; kept. */
  LIVEKIT_LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => ({ raw: v, level: v === undefined ? 'info' : LK_LOG_LEVELS[v.toLowerCase()] })),
  LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: z.string().optional(),
  LIVEKIT_CS_API_URL_OVERRIDES: z.string().optional(),
  /** server name → federation base URL, for homeservers without discoverable federation. */
  LIVEKIT_FEDERATION_URL_OVERRIDES: z.string().optional(),
  /** Only lk-jwt-service's magic string turns certificate checks off; any other value is "no". */
  LIVEKIT_INSECURE_SKIP_VERIFY_TLS: z
    .string()
    .optional()
    .transform((v) => v === TLS_MAGIC),
  LIVEKIT_REDIS_URL: anyUrl(['redis:', 'rediss:']).optional(),
  /**
   * lk-jwt-service 0.7's application-service variables: the tokens of the registration Synapse loads
   * (or the registration file itself, which wins) and our homeserver's name. All or nothing.
   */
  LIVEKIT_AS_TOKEN: z.string().min(1).optional(),
  LIVEKIT_HS_TOKEN: z.string().min(1).optional(),
  LIVEKIT_AS_REGISTRATION_FILE: z.string().min(1).optional(),
  LIVEKIT_HS_SERVER_NAME: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseServerName(v) !== null, 'must be a server name'),
  /**
   * The other way to hold the `is_joined` scope (README "Room membership"): a `client_credentials` client
   * of the gateway's auth service (its AUTH_MEMBERSHIP_CLIENTS), instead of an application service. All
   * three or none; the secret usually through LIVEKIT_OAUTH_CLIENT_SECRET_FILE.
   */
  LIVEKIT_OAUTH_TOKEN_URL: anyUrl(['http:', 'https:']).optional(),
  LIVEKIT_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  LIVEKIT_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** How often connected participants' membership is checked again; 0 turns the periodic check off. */
  LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: integer(30, 0, 86_400),
  /** How long an is_joined answer is reused for token requests. */
  RTC_MEMBERSHIP_CACHE_SECONDS: integer(5, 0, 3_600),
  /** lk-jwt-service refuses unknown JSON fields (that broke Element Call once); off by default here. */
  RTC_STRICT_UNKNOWN_FIELDS: boolean(false),
  /** Requests per minute per client IP and per Matrix user; 0 turns the limit off. */
  RTC_RATE_LIMIT_PER_IP: integer(600, 0, 1_000_000),
  RTC_RATE_LIMIT_PER_USER: integer(120, 0, 1_000_000),
  /** Bounds on the userinfo call to the user's homeserver. */
  RTC_USERINFO_TIMEOUT_MS: integer(10_000, 100, 120_000),
  /** Entries of the in-process userinfo cache (when Redis is not configured). */
  RTC_USERINFO_CACHE_SIZE: integer(10_000, 0, 10_000_000),
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For gives the client IP. */
  RTC_TRUSTED_PROXIES: cidrList(),
  /** The internal listener serving /metrics; unset, no metrics are served (never on the public port). */
  RTC_METRICS_BIND: optionalBindAddress(),
  /**
   * The admin API (`/admin/v1/rooms`, served only on RTC_METRICS_BIND's internal listener): the auth
   * service whose admin tokens it accepts, and the client (one of its AUTH_ADMIN_CLIENTS) it checks them
   * with by introspection. All three or none; the secret usually through RTC_ADMIN_CLIENT_SECRET_FILE.
   */
  RTC_ADMIN_AUTH_URL: anyUrl(['http:', 'https:']).optional(),
  RTC_ADMIN_CLIENT_ID: z.string().min(1).optional(),
  RTC_ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
  /** Prefix of every Redis key this service writes, so deployments (or tests) can share a Redis. */
  RTC_REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or _ : . -')
    .default('rtc'),
  /** Server names allowed to resolve to private/loopback addresses (the SSRF guard's exceptions). */
  RTC_ALLOW_PRIVATE_HOMESERVERS: commaList().superRefine((names, ctx) => {
    for (const name of names) {
      if (!parseServerName(name)) ctx.addIssue({ code: 'custom', message: `"${name}" is not a server name` });
    }
  }),
});

export type RtcConfig = ReturnType<typeof toConfig>;

export function loadRtcConfig(env: Env): RtcConfig {
  const problems: string[] = [];
  const files = collect(problems, () =>
    readEnv(
      secretFiles,
      {
        LIVEKIT_KEY_FROM_FILE: env['LIVEKIT_KEY_FROM_FILE'],
        LIVEKIT_SECRET_FROM_FILE: env['LIVEKIT_SECRET_FROM_FILE'],
        LIVEKIT_KEY_FILE: env['LIVEKIT_KEY_FILE'],
      },
      { fileAliases: { LIVEKIT_KEY_PAIR: ['LIVEKIT_KEY_FILE'] } },
    ),
  );
  // LIVEKIT_KEY_FILE was read above; left in, readEnv would take it for LIVEKIT_KEY's own file.
  const vars = collect(problems, () => readEnv(schema, { ...env, LIVEKIT_KEY_FILE: undefined }));
  if (files === undefined || vars === undefined) throw new ConfigError(problems);
  return toConfig(vars, files);
}

function collect<T>(problems: string[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/** lk-jwt-service's rules across variables, with its own texts; then the shape the app uses. */
function toConfig(v: z.output<typeof schema>, files: z.output<typeof secretFiles>) {
  const problems: string[] = [];
  const warnings: string[] = [];

  // LIVEKIT_KEY_FILE ("key: secret") beats *_FROM_FILE, which beat the plain variables.
  let key = files.LIVEKIT_KEY_FROM?.trim() ?? v.LIVEKIT_KEY;
  let secret = files.LIVEKIT_SECRET_FROM?.trim() ?? v.LIVEKIT_SECRET;
  if (files.LIVEKIT_KEY_PAIR !== undefined) {
    const parts = files.LIVEKIT_KEY_PAIR.split(':');
    if (parts.length !== 2) problems.push('LIVEKIT_KEY_FILE: expected one line "key: secret"');
    else [key, secret] = parts.map((p) => p.trim()) as [string, string];
  }
  const url = v.LIVEKIT_URL;
  if (!key || !secret || url === undefined) {
    problems.push('LIVEKIT_KEY* / LIVEKIT_SECRET* and LIVEKIT_URL must be set');
  }
  if (v.LIVEKIT_FULL_ACCESS_HOMESERVERS.length === 0) {
    problems.push(
      'LIVEKIT_FULL_ACCESS_HOMESERVERS environment variable must be set to the homeserver(s) you intend to serve — see README for guidance',
    );
  }

  let bind: BindAddress | null = parseBindAddress(':8080');
  if (v.LIVEKIT_JWT_BIND !== undefined && v.LIVEKIT_JWT_PORT !== undefined) {
    problems.push('LIVEKIT_JWT_BIND and LIVEKIT_JWT_PORT must not be set together');
  } else if (v.LIVEKIT_JWT_BIND !== undefined) {
    bind = parseBindAddress(v.LIVEKIT_JWT_BIND);
    if (!bind) {
      problems.push(
        `LIVEKIT_JWT_BIND: "${v.LIVEKIT_JWT_BIND}" is not an address like :8080 or 127.0.0.1:8080`,
      );
    }
  } else if (v.LIVEKIT_JWT_PORT !== undefined) {
    warnings.push('LIVEKIT_JWT_PORT is deprecated; use LIVEKIT_JWT_BIND=:<port>');
    bind = /^\d{1,5}$/.test(v.LIVEKIT_JWT_PORT) ? parseBindAddress(`:${v.LIVEKIT_JWT_PORT}`) : null;
    if (!bind) problems.push(`LIVEKIT_JWT_PORT: "${v.LIVEKIT_JWT_PORT}" is not a port`);
  }

  const { raw: levelRaw, level } = v.LIVEKIT_LOG_LEVEL;
  if (level === undefined) warnings.push(`LIVEKIT_LOG_LEVEL: unknown level "${levelRaw ?? ''}", using info`);

  const sanityRaw = v.LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS;
  if (sanityRaw !== undefined && !/^\d+$/.test(sanityRaw)) {
    problems.push(`LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS must be a non-negative integer, got "${sanityRaw}"`);
  }
  const overrides = (variable: string, raw: string | undefined): ReadonlyMap<string, string> => {
    try {
      return parseFederationUrlOverrides(raw, variable);
    } catch (err) {
      problems.push((err as Error).message);
      return new Map();
    }
  };
  const csApiOverrides = overrides('LIVEKIT_CS_API_URL_OVERRIDES', v.LIVEKIT_CS_API_URL_OVERRIDES);
  const federationOverrides = overrides(
    'LIVEKIT_FEDERATION_URL_OVERRIDES',
    v.LIVEKIT_FEDERATION_URL_OVERRIDES,
  );

  const membership = membershipConfig(v, problems);
  const admin = adminConfig(v, problems);

  if (problems.length > 0 || bind === null || !key || !secret || url === undefined) {
    throw new ConfigError(problems);
  }
  return {
    bind,
    logLevel: level ?? 'info',
    /** Deprecated or ignored values, logged once the logger exists. */
    warnings,
    livekit: { url, key, secret },
    /** Server names whose users may create rooms; `*` alone means every server. */
    fullAccessHomeservers: v.LIVEKIT_FULL_ACCESS_HOMESERVERS,
    /** server name → client-server API base URL, for delayed-event calls. */
    csApiOverrides,
    federationOverrides,
    insecureSkipVerifyTls: v.LIVEKIT_INSECURE_SKIP_VERIFY_TLS,
    redisUrl: v.LIVEKIT_REDIS_URL,
    redisPrefix: v.RTC_REDIS_PREFIX,
    sanityCheckIntervalSeconds: sanityRaw === undefined ? 0 : Number(sanityRaw),
    strictUnknownFields: v.RTC_STRICT_UNKNOWN_FIELDS,
    allowPrivateHomeservers: v.RTC_ALLOW_PRIVATE_HOMESERVERS,
    trustedProxies: v.RTC_TRUSTED_PROXIES,
    metricsBind: v.RTC_METRICS_BIND,
    rateLimitPerIp: v.RTC_RATE_LIMIT_PER_IP,
    rateLimitPerUser: v.RTC_RATE_LIMIT_PER_USER,
    userinfoTimeoutMs: v.RTC_USERINFO_TIMEOUT_MS,
    userinfoCacheSize: v.RTC_USERINFO_CACHE_SIZE,
    /** Null: no membership check (lk-jwt-service up to 0.6); a warning is logged at start. */
    membership,
    /** Null: no admin API. */
    admin,
  };
}

/** RTC_ADMIN_*: all three or none, and only with the internal listener that serves them. */
function adminConfig(v: z.output<typeof schema>, problems: string[]): AdminIntrospectionConfig | null {
  const authUrl = v.RTC_ADMIN_AUTH_URL;
  const clientId = v.RTC_ADMIN_CLIENT_ID;
  const clientSecret = v.RTC_ADMIN_CLIENT_SECRET;
  const given = [authUrl, clientId, clientSecret].filter((x) => x !== undefined).length;
  if (given === 0) return null;
  if (authUrl === undefined || clientId === undefined || clientSecret === undefined) {
    problems.push(
      'RTC_ADMIN_AUTH_URL, RTC_ADMIN_CLIENT_ID and RTC_ADMIN_CLIENT_SECRET (or RTC_ADMIN_CLIENT_SECRET_FILE) must be set together',
    );
    return null;
  }
  if (v.RTC_METRICS_BIND === undefined) {
    problems.push(
      'RTC_ADMIN_AUTH_URL: the admin API is served only on the internal listener; set RTC_METRICS_BIND',
    );
    return null;
  }
  return { authUrl, clientId, clientSecret };
}

export interface MembershipConfig {
  /** Our homeserver, whose client-server API answers MSC4502 `is_joined`. */
  serverName: string;
  /** The application service's token: the bearer of `is_joined` requests. Null with `oauth`. */
  asToken: string | null;
  /** The token Synapse sends to the application service; only written into the registration. Null with `oauth`. */
  hsToken: string | null;
  /** The auth service's client whose `client_credentials` tokens are the bearer instead; null with the tokens. */
  oauth: OAuthClientConfig | null;
  checkIntervalMs: number;
  cacheTtlMs: number;
}

export interface OAuthClientConfig {
  /** The auth service's token endpoint (`<issuer>oauth2/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** lk-jwt-service 0.7's rule: the registration file beats the token variables; all or nothing. */
function membershipConfig(v: z.output<typeof schema>, problems: string[]): MembershipConfig | null {
  let asToken = v.LIVEKIT_AS_TOKEN;
  let hsToken = v.LIVEKIT_HS_TOKEN;
  const file = v.LIVEKIT_AS_REGISTRATION_FILE;
  if (file !== undefined) {
    try {
      const tokens = readRegistrationTokens(readFileSync(file, 'utf8'));
      asToken = tokens.asToken;
      hsToken = tokens.hsToken;
    } catch (err) {
      problems.push(`LIVEKIT_AS_REGISTRATION_FILE: ${(err as Error).message}`);
      return null;
    }
  }
  const serverName = v.LIVEKIT_HS_SERVER_NAME;
  const oauth = oauthClientConfig(v, problems);
  if (oauth !== undefined) {
    if (asToken !== undefined || hsToken !== undefined || file !== undefined) {
      problems.push(
        'LIVEKIT_OAUTH_* and LIVEKIT_AS_TOKEN/LIVEKIT_HS_TOKEN/LIVEKIT_AS_REGISTRATION_FILE are two ways to hold the is_joined scope: set only one',
      );
      return null;
    }
    if (oauth === null) return null;
    if (serverName === undefined) {
      problems.push('LIVEKIT_HS_SERVER_NAME must be set with LIVEKIT_OAUTH_TOKEN_URL');
      return null;
    }
    return {
      serverName,
      asToken: null,
      hsToken: null,
      oauth,
      checkIntervalMs: v.LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS * 1000,
      cacheTtlMs: v.RTC_MEMBERSHIP_CACHE_SECONDS * 1000,
    };
  }
  const given = [asToken, hsToken, serverName].filter((x) => x !== undefined).length;
  if (given === 0) return null;
  if (asToken === undefined || hsToken === undefined || serverName === undefined) {
    problems.push(
      'LIVEKIT_AS_TOKEN and LIVEKIT_HS_TOKEN (or LIVEKIT_AS_REGISTRATION_FILE) and LIVEKIT_HS_SERVER_NAME must be set together',
    );
    return null;
  }
  return {
    serverName,
    asToken,
    hsToken,
    oauth: null,
    checkIntervalMs: v.LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS * 1000,
    cacheTtlMs: v.RTC_MEMBERSHIP_CACHE_SECONDS * 1000,
  };
}

/**
 * LIVEKIT_OAUTH_*: undefined when none is set, null (with a problem) when only some are, else the client.
 */
function oauthClientConfig(
  v: z.output<typeof schema>,
  problems: string[],
): OAuthClientConfig | null | undefined {
  const tokenUrl = v.LIVEKIT_OAUTH_TOKEN_URL;
  const clientId = v.LIVEKIT_OAUTH_CLIENT_ID;
  const clientSecret = v.LIVEKIT_OAUTH_CLIENT_SECRET;
  const given = [tokenUrl, clientId, clientSecret].filter((x) => x !== undefined).length;
  if (given === 0) return undefined;
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    problems.push(
      'LIVEKIT_OAUTH_TOKEN_URL, LIVEKIT_OAUTH_CLIENT_ID and LIVEKIT_OAUTH_CLIENT_SECRET (or LIVEKIT_OAUTH_CLIENT_SECRET_FILE) must be set together',
    );
    return null;
  }
  return { tokenUrl, clientId, clientSecret };
}
