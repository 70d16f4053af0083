import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Database } from '@gateway/db';
import { startApp, type RunningApp } from '@gateway/server';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  startSynapse,
  type Synapse,
  type TestDatabase,
  type TestRedis,
  withRouteLog,
  type RegisteredRoute,
} from '@gateway/testing';
import type { Accounts } from '../../src/accounts/accounts';
import { AppModule, type AppModuleOptions } from '../../src/app.module';
import { authAppOptions } from '../../src/app-options';
import { loadAuthConfig } from '../../src/config';
import { ACCOUNTS } from '../../src/tokens';

export interface AuthUnderTest extends RunningApp {
  /** Every route the app registered with Fastify (the security tier's coverage check reads them). */
  routes: RegisteredRoute[];
  issuer: string;
  keyFile: string;
  db: TestDatabase;
  redis: TestRedis;
  /** The captured log lines not yet taken by `takeLogs`. */
  logs: () => string;
  /**
   * The log written since the last call (or the start), which `logs` then no longer holds: a long run
   * reads its log in parts.
   */
  takeLogs: () => string;
  stop: () => Promise<void>;
}

export const SYNAPSE_SECRET = 'test-shared-secret-0123456789';

/** Boots the real app in-process, as main.ts does, on its own database, Redis prefix and key file. */
export async function startAuth(
  port: number,
  synapseUrl: string,
  env: Record<string, string> = {},
  options: Pick<AppModuleOptions, 'clock'> & {
    /**
     * The issuer's host name (the service still listens on 127.0.0.1): `localhost` for WebAuthn, whose
     * relying party id cannot be an IP address.
     */
    host?: string;
    /** Another replica of the same deployment: its database, Redis prefix and keys, left to it to remove. */
    replicaOf?: AuthUnderTest;
  } = {},
): Promise<AuthUnderTest> {
  const shared = options.replicaOf;
  const db = shared?.db ?? (await createTestDatabase());
  const redis = shared?.redis ?? (await createTestRedis());
  const keyFile = shared?.keyFile ?? join(mkdtempSync(join(tmpdir(), 'auth-keys-')), 'keys.json');
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}/`;
  const config = loadAuthConfig({
    AUTH_BIND: `127.0.0.1:${port}`,
    AUTH_ISSUER: issuer,
    AUTH_DATABASE_URL: db.url,
    AUTH_REDIS_URL: redis.url,
    AUTH_HOMESERVER: 'localhost',
    AUTH_SYNAPSE_URL: synapseUrl,
    AUTH_SYNAPSE_SECRET: SYNAPSE_SECRET,
    AUTH_SIGNING_KEY_FILE: keyFile,
    // Tests register through the page (off by default, as in MAS) and run the device sync only when
    // they test it.
    AUTH_REGISTRATION_ENABLED: 'true',
    AUTH_SYNC_DEVICES_INTERVAL: '0',
    ...env,
  });
  const routes: RegisteredRoute[] = [];
  let logs = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const running = await startApp(
    AppModule.forRoot(config, {
      ...(options.clock ? { clock: options.clock } : {}),
      redisPrefix: redis.prefix,
    }),
    {
      ...withRouteLog(authAppOptions(config), routes),
      logLevel: 'debug',
      logDestination: stream,
    },
  );
  // The database connects and migrates in the background; tests start once that is done, as /ready does.
  await running.app.get(Database).connected;
  return {
    ...running,
    issuer,
    keyFile,
    db,
    redis,
    routes,
    logs: () => logs,
    takeLogs: () => {
      const taken = logs;
      logs = '';
      return taken;
    },
    stop: async () => {
      await running.app.close();
      if (shared) return;
      await redis.cleanup();
      await db.drop();
    },
  };
}

/**
 * A Synapse in delegated mode pointed at a freshly started auth service, with one password user: the
 * stack every auth contract test starts from. Stop the auth service before Synapse.
 */
export async function startDelegatedStack(
  user: { username: string; password: string },
  env: Record<string, string> = {},
  options: { host?: string } = {},
): Promise<{ synapse: Synapse; auth: AuthUnderTest }> {
  const port = await freePort();
  const synapse = await startSynapse({
    mode: 'delegated',
    authService: { endpoint: `http://127.0.0.1:${port}/`, secret: SYNAPSE_SECRET },
  });
  const auth = await startAuth(port, synapse.baseUrl, env, options);
  const created = await auth.app.get<Accounts>(ACCOUNTS).register(user.username, user.password);
  if (!created.ok) throw new Error(`could not create ${user.username}: ${created.reason}`);
  return { synapse, auth };
}
