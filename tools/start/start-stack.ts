/**
 * `npm start`: the whole gateway on one machine, in the foreground, for development.
 * Postgres and Redis come from DATABASE_URL / REDIS_URL, the machine, or are started here; a fresh dev
 * Synapse comes from the test bed; the three services and the admin dashboard run from dist/. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGatewayStack, type GatewayStack } from '@gateway/testing';
import { resolvePostgres, type PostgresHandle } from './postgres';
import { resolveRedis, type RedisHandle } from './redis';

const root = resolve(__dirname, '../..'); // dist/tools -> repo root
const PORTS = {
  sync: 8008,
  rtc: 8070,
  auth: 8090,
  dashboard: 8095,
  rtcAdmin: 8071,
  syncAdmin: 8009,
} as const;
const log = (line: string): void => {
  process.stdout.write(`[start] ${line}\n`);
};

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      log('stopping…');
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
    const stack: GatewayStack = await startGatewayStack({
      root,
      ports: PORTS,
      dashboard: true,
      databases: {
        auth: await pg.ensureDatabase('gateway_auth'),
        sync: await pg.ensureDatabase('gateway_sync'),
      },
      redisUrl: redis.url,
      livekit: { url: 'ws://127.0.0.1:7880', key: 'devkey', secret: 'dev-secret-dev-secret-dev-secret' },
      syncSecret: 'dev-only-secret',
      signingKeyFile: join(
        process.env['GATEWAY_CACHE_DIR'] ?? join(homedir(), '.cache/matrix-gateway'),
        'dev-auth-keys.json',
      ),
      onExit: (name, code) => {
        if (!stopping) {
          log(`${name} exited with code ${String(code)}; stopping the stack`);
          void stopAll(1);
        }
      },
    });
    cleanups.push(() => stack.stop());
    // The dev user, through the operator CLI: created on the first run, given this run's password after.
    // 12 random hex digits: comfortably above the password strength rule (zxcvbn score 3), whatever they are.
    const password = `dev-${randomBytes(6).toString('hex')}`;
    stack.addUser('alice', password, { admin: true });

    const rows: [string, string][] = [
      ['Synapse (dev homeserver)', stack.synapse.baseUrl],
      ['sync-proxy (client base URL)', stack.sync.url],
      ...(stack.syncAdminUrl === null
        ? []
        : [['sync-proxy internal (admin API, /metrics)', stack.syncAdminUrl] as [string, string]]),
      ['rtc-jwt-service', stack.rtc.url],
      ...(stack.rtcAdminUrl === null
        ? []
        : [['rtc-jwt-service internal (admin API, /metrics)', stack.rtcAdminUrl] as [string, string]]),
      ['auth-service', stack.auth.url],
      ...(stack.dashboard === null
        ? []
        : [['admin dashboard', `${stack.dashboard.url}/`] as [string, string]]),
    ];
    const width = Math.max(...rows.map(([n]) => n.length));
    log('the stack is up:');
    for (const [name, url] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${url}\n`);
    process.stdout.write(
      `  ${'user'.padEnd(width)}  @alice:${stack.synapse.serverName} / ${password} (admin)\n`,
    );
    process.stdout.write(
      `  sign in: ${stack.auth.url}/account/ — clients pointed at ${stack.sync.url} find every service ` +
        `through ${stack.sync.url}/.well-known/matrix/client and /_matrix/client/v1/auth_metadata\n`,
    );
    process.stdout.write(
      `  check it: npx matrix-gateway-conformance --homeserver ${stack.sync.url} --access-token <token>\n`,
    );
    process.stdout.write(
      `  each service answers /health and /ready (metrics: set *_METRICS_BIND / SYNCV3_PROM); Ctrl-C stops everything\n`,
    );
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

void main();
