/**
 * `npm start`: the whole gateway on one machine, in the foreground, for development.
 * Postgres and Redis come from DATABASE_URL / REDIS_URL, the machine, or are started here; a fresh dev
 * Synapse comes from the test bed; the three services run from dist/. Ctrl-C stops everything.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSynapse, type Synapse } from '@gateway/testing';
import { resolvePostgres, type PostgresHandle } from './postgres';
import { resolveRedis, type RedisHandle } from './redis';
import { startService, stopService, waitHealthy, type RunningService, type ServiceSpec } from './services';

const root = resolve(__dirname, '../..'); // dist/tools -> repo root
const PORTS = { sync: 8008, rtc: 8070, auth: 8090 } as const;
const log = (line: string): void => {
  process.stdout.write(`[start] ${line}\n`);
};

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const services: RunningService[] = [];
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      log('stopping…');
      await Promise.all(services.map(stopService));
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const pg: PostgresHandle = await resolvePostgres(log);
    cleanups.push(() => pg.stop());
    const redis: RedisHandle = await resolveRedis(log);
    cleanups.push(() => redis.stop());
    log(`Postgres: ${pg.origin}; Redis: ${redis.origin}`);

    log(
      'starting the dev Synapse (the first run builds its Debian sid chroot, which takes a few minutes and needs root)',
    );
    // Synapse delegates all authentication to the auth service, as in production.
    const secret = randomBytes(24).toString('hex');
    const issuer = `http://127.0.0.1:${PORTS.auth}/`;
    const synapse: Synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: issuer, secret },
      rtcServiceUrls: [`http://127.0.0.1:${PORTS.rtc}`],
    });
    cleanups.push(() => synapse.stop());
    const password = `dev-${randomBytes(4).toString('hex')}`;

    const auth: ServiceSpec = {
      name: 'auth-service',
      main: 'dist/apps/auth-service/main.js',
      url: `http://127.0.0.1:${PORTS.auth}`,
      env: {
        AUTH_BIND: `127.0.0.1:${PORTS.auth}`,
        AUTH_ISSUER: issuer,
        AUTH_DATABASE_URL: await pg.ensureDatabase('gateway_auth'),
        AUTH_REDIS_URL: redis.url,
        AUTH_HOMESERVER: synapse.serverName,
        AUTH_SYNAPSE_URL: synapse.baseUrl,
        AUTH_SYNAPSE_SECRET: secret,
        AUTH_SIGNING_KEY_FILE: join(
          process.env['GATEWAY_CACHE_DIR'] ?? join(homedir(), '.cache/matrix-gateway'),
          'dev-auth-keys.json',
        ),
      },
    };
    const rtc: ServiceSpec = {
      name: 'rtc-jwt-service',
      main: 'dist/apps/rtc-jwt-service/main.js',
      url: `http://127.0.0.1:${PORTS.rtc}`,
      env: {
        LIVEKIT_JWT_BIND: `127.0.0.1:${PORTS.rtc}`,
        LIVEKIT_URL: 'ws://127.0.0.1:7880',
        LIVEKIT_KEY: 'devkey',
        LIVEKIT_SECRET: 'dev-secret-dev-secret-dev-secret',
        LIVEKIT_FULL_ACCESS_HOMESERVERS: synapse.serverName,
        LIVEKIT_FEDERATION_URL_OVERRIDES: `${synapse.serverName}=${synapse.baseUrl}`,
        LIVEKIT_CS_API_URL_OVERRIDES: `${synapse.serverName}=${synapse.baseUrl}`,
        LIVEKIT_REDIS_URL: redis.url,
      },
    };
    const sync: ServiceSpec = {
      name: 'sync-proxy',
      main: 'dist/apps/sync-proxy/main.js',
      url: `http://127.0.0.1:${PORTS.sync}`,
      env: {
        SYNCV3_BINDADDR: `127.0.0.1:${PORTS.sync}`,
        SYNCV3_SERVER: synapse.baseUrl,
        SYNCV3_DB: await pg.ensureDatabase('gateway_sync'),
        SYNCV3_SECRET: 'dev-only-secret',
        SYNCV3_REDIS: redis.url,
      },
    };
    const specs = [auth, rtc, sync];
    for (const spec of specs) {
      services.push(
        startService(root, spec, (name, code) => {
          if (!stopping) {
            log(`${name} exited with code ${String(code)}; stopping the stack`);
            void stopAll(1);
          }
        }),
      );
    }
    await Promise.all(specs.map((s) => waitHealthy(s.url)));
    // The dev user, through the operator CLI: created on the first run, given this run's password after.
    const cli = (...args: string[]): void => {
      execFileSync(process.execPath, [resolve(root, 'dist/apps/auth-service/cli.js'), ...args], {
        env: { ...process.env, ...auth.env },
        stdio: 'pipe',
      });
    };
    try {
      cli('user', 'add', 'alice', '--password', password, '--admin');
    } catch {
      cli('user', 'set-password', 'alice', '--password', password);
    }

    const rows: [string, string][] = [
      ['Synapse (dev homeserver)', synapse.baseUrl],
      ['sync-proxy (client base URL)', sync.url],
      ['rtc-jwt-service', rtc.url],
      ['auth-service', auth.url],
    ];
    const width = Math.max(...rows.map(([n]) => n.length));
    log('the stack is up:');
    for (const [name, url] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${url}\n`);
    process.stdout.write(`  ${'user'.padEnd(width)}  @alice:${synapse.serverName} / ${password} (admin)\n`);
    process.stdout.write(
      `  sign in: ${auth.url}/account/ — OAuth clients find the issuer at ${sync.url}/_matrix/client/v1/auth_metadata\n`,
    );
    process.stdout.write(`  each service answers /health, /ready and /metrics; Ctrl-C stops everything\n`);
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

void main();
