import { readFileSync } from 'node:fs';
import {
  anyUrl,
  boolean,
  commaList,
  ConfigError,
  integer,
  parseBindAddress,
  readEnv,
  z,
  type BindAddress,
  type Env,
  type LogLevel,
} from '@gateway/config';
import { parseServerName } from '@gateway/matrix';
import { parseFederationUrlOverrides } from './core';

/**
 * lk-jwt-service's environment, read with its exact rules so an operator's compose file or Helm values
 * work unchanged (apps/rtc-jwt-service/README.md), plus this service's own `RTC_*` additions.
 * lk-jwt-service's own startup error texts are kept where it has them.
 */
export interface RtcConfig {
  bind: BindAddress;
  logLevel: LogLevel;
  /** Warnings found while parsing (deprecated or ignored values), logged once the logger exists. */
  warnings: string[];
  livekit: { url: string; key: string; secret: string };
  /** Server names whose users may create rooms; `*` alone means every server. */
  fullAccessHomeservers: string[];
  /** server name → client-server API base URL, for delayed-event calls. */
  csApiOverrides: ReadonlyMap<string, string>;
  /** server name → federation base URL, for homeservers without discoverable federation (tests, split horizon). */
  federationOverrides: ReadonlyMap<string, string>;
  insecureSkipVerifyTls: boolean;
  redisUrl: string | undefined;
  /** Prefix of every Redis key this service writes, so deployments (or tests) can share a Redis. */
  redisPrefix: string;
  sanityCheckIntervalSeconds: number;
  /** lk-jwt-service refuses unknown JSON fields (that broke Element Call once); off by default here. */
  strictUnknownFields: boolean;
  /** Server names allowed to resolve to private/loopback addresses (the SSRF guard's exceptions). */
  allowPrivateHomeservers: string[];
  /** Reverse proxies whose X-Forwarded-For gives the client IP. */
  trustedProxies: string[];
  /** Requests per minute per client IP and per Matrix user; 0 turns the limit off. */
  rateLimitPerIp: number;
  rateLimitPerUser: number;
  /** Bounds on the userinfo call to the user's homeserver. */
  userinfoTimeoutMs: number;
  /** Entries of the in-process userinfo cache (when Redis is not configured). */
  userinfoCacheSize: number;
}

/** This service's own additions; each default keeps lk-jwt-service's behaviour or a safe bound. */
const extrasSchema = z.object({
  RTC_STRICT_UNKNOWN_FIELDS: boolean(false),
  RTC_RATE_LIMIT_PER_IP: integer(600, 0, 1_000_000),
  RTC_RATE_LIMIT_PER_USER: integer(120, 0, 1_000_000),
  RTC_USERINFO_TIMEOUT_MS: integer(10_000, 100, 120_000),
  RTC_USERINFO_CACHE_SIZE: integer(10_000, 0, 10_000_000),
  RTC_TRUSTED_PROXIES: commaList(),
  RTC_REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or _ : . -')
    .default('rtc'),
});

const TLS_MAGIC = 'YES_I_KNOW_WHAT_I_AM_DOING';
const LOG_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

export function loadRtcConfig(env: Env): RtcConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const get = (name: string): string | undefined =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  const readFile = (variable: string): string | undefined => {
    const path = get(variable);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };

  // Key and secret: LIVEKIT_KEY_FILE ("key: secret") beats *_FROM_FILE, which beat the plain variables.
  let key = get('LIVEKIT_KEY');
  let secret = get('LIVEKIT_SECRET');
  const keyFromFile = readFile('LIVEKIT_KEY_FROM_FILE');
  const secretFromFile = readFile('LIVEKIT_SECRET_FROM_FILE');
  if (keyFromFile !== undefined) key = keyFromFile.trim();
  if (secretFromFile !== undefined) secret = secretFromFile.trim();
  const keyFile = readFile('LIVEKIT_KEY_FILE');
  if (keyFile !== undefined) {
    const parts = keyFile.split(':');
    if (parts.length !== 2) problems.push('LIVEKIT_KEY_FILE: expected one line "key: secret"');
    else [key, secret] = parts.map((p) => p.trim()) as [string, string];
  }
  const url = get('LIVEKIT_URL');
  if (key === undefined || key === '' || secret === undefined || secret === '' || url === undefined) {
    problems.push('LIVEKIT_KEY* / LIVEKIT_SECRET* and LIVEKIT_URL must be set');
  } else if (!anyUrl(['ws:', 'wss:', 'http:', 'https:']).safeParse(url).success) {
    problems.push(`LIVEKIT_URL: "${url}" is not a ws(s):// or http(s):// URL`);
  }

  const fullAccessRaw = get('LIVEKIT_FULL_ACCESS_HOMESERVERS');
  const fullAccessHomeservers = (fullAccessRaw ?? '')
    .replaceAll(',', ' ')
    .split(/\s+/)
    .filter((s) => s !== '');
  if (fullAccessHomeservers.length === 0) {
    problems.push(
      'LIVEKIT_FULL_ACCESS_HOMESERVERS environment variable must be set to the homeserver(s) you intend to serve — see README for guidance',
    );
  }

  const bindRaw = get('LIVEKIT_JWT_BIND');
  const portRaw = get('LIVEKIT_JWT_PORT');
  let bind: BindAddress | null = parseBindAddress(':8080');
  if (bindRaw !== undefined && portRaw !== undefined)
    problems.push('LIVEKIT_JWT_BIND and LIVEKIT_JWT_PORT must not be set together');
  else if (bindRaw !== undefined) {
    bind = parseBindAddress(bindRaw);
    if (!bind) problems.push(`LIVEKIT_JWT_BIND: "${bindRaw}" is not an address like :8080 or 127.0.0.1:8080`);
  } else if (portRaw !== undefined) {
    warnings.push('LIVEKIT_JWT_PORT is deprecated; use LIVEKIT_JWT_BIND=:<port>');
    bind = /^\d{1,5}$/.test(portRaw) ? parseBindAddress(`:${portRaw}`) : null;
    if (!bind) problems.push(`LIVEKIT_JWT_PORT: "${portRaw}" is not a port`);
  }

  // lk-jwt-service falls back to info on an unknown level rather than refusing to start; kept, so a
  // drop-in never fails on a value the reference accepted.
  const levelRaw = get('LIVEKIT_LOG_LEVEL');
  const logLevel = levelRaw === undefined ? 'info' : LOG_LEVELS[levelRaw.toLowerCase()];
  if (levelRaw !== undefined && logLevel === undefined)
    warnings.push(`LIVEKIT_LOG_LEVEL: unknown level "${levelRaw}", using info`);

  const sanityRaw = get('LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS');
  let sanityCheckIntervalSeconds = 0;
  if (sanityRaw !== undefined) {
    if (/^\d+$/.test(sanityRaw)) sanityCheckIntervalSeconds = Number(sanityRaw);
    else
      problems.push(
        `LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS must be a non-negative integer, got "${sanityRaw}"`,
      );
  }

  const csApiOverrides = parseOverrides(
    'LIVEKIT_CS_API_URL_OVERRIDES',
    get('LIVEKIT_CS_API_URL_OVERRIDES'),
    problems,
  );
  const federationOverrides = parseOverrides(
    'LIVEKIT_FEDERATION_URL_OVERRIDES',
    get('LIVEKIT_FEDERATION_URL_OVERRIDES'),
    problems,
  );

  const redisUrl = get('LIVEKIT_REDIS_URL');
  if (redisUrl !== undefined && !anyUrl(['redis:', 'rediss:']).safeParse(redisUrl).success) {
    problems.push(`LIVEKIT_REDIS_URL: "${redisUrl}" is not a redis:// URL`);
  }

  let extras: z.output<typeof extrasSchema> | undefined;
  try {
    extras = readEnv(extrasSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const allowPrivateHomeservers = (get('RTC_ALLOW_PRIVATE_HOMESERVERS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of allowPrivateHomeservers) {
    if (!parseServerName(name))
      problems.push(`RTC_ALLOW_PRIVATE_HOMESERVERS: "${name}" is not a server name`);
  }

  if (
    problems.length > 0 ||
    bind === null ||
    url === undefined ||
    key === undefined ||
    secret === undefined ||
    extras === undefined
  ) {
    throw new ConfigError(problems);
  }
  return {
    bind,
    logLevel: logLevel ?? 'info',
    warnings,
    livekit: { url, key, secret },
    fullAccessHomeservers,
    csApiOverrides,
    federationOverrides,
    insecureSkipVerifyTls: get('LIVEKIT_INSECURE_SKIP_VERIFY_TLS') === TLS_MAGIC,
    redisUrl,
    sanityCheckIntervalSeconds,
    strictUnknownFields: extras.RTC_STRICT_UNKNOWN_FIELDS,
    allowPrivateHomeservers,
    rateLimitPerIp: extras.RTC_RATE_LIMIT_PER_IP,
    rateLimitPerUser: extras.RTC_RATE_LIMIT_PER_USER,
    userinfoTimeoutMs: extras.RTC_USERINFO_TIMEOUT_MS,
    userinfoCacheSize: extras.RTC_USERINFO_CACHE_SIZE,
    trustedProxies: extras.RTC_TRUSTED_PROXIES,
    redisPrefix: extras.RTC_REDIS_PREFIX,
  };
}

function parseOverrides(
  variable: string,
  raw: string | undefined,
  problems: string[],
): ReadonlyMap<string, string> {
  try {
    return parseFederationUrlOverrides(raw, variable);
  } catch (err) {
    problems.push((err as Error).message);
    return new Map();
  }
}
