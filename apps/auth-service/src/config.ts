import { anyUrl, bindAddress, logLevel, readEnv, z, type Env } from '@gateway/config';

/** The auth service's environment; see apps/auth-service/README.md. */
const schema = z.object({
  AUTH_BIND: bindAddress('0.0.0.0:8080'),
  AUTH_LOG_LEVEL: logLevel(),
  AUTH_DATABASE_URL: anyUrl(['postgres:', 'postgresql:']),
  AUTH_REDIS_URL: anyUrl(['redis:', 'rediss:']),
});

export interface AuthConfig {
  bind: { host: string; port: number };
  logLevel: z.output<typeof schema>['AUTH_LOG_LEVEL'];
  databaseUrl: string;
  redisUrl: string;
}

export function loadAuthConfig(env: Env): AuthConfig {
  const v = readEnv(schema, env);
  return {
    bind: v.AUTH_BIND,
    logLevel: v.AUTH_LOG_LEVEL,
    databaseUrl: v.AUTH_DATABASE_URL,
    redisUrl: v.AUTH_REDIS_URL,
  };
}
