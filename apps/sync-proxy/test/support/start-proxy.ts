import { PassThrough } from 'node:stream';
import { startApp, type RunningApp } from '@gateway/server';
import { createTestDatabase, withRouteLog, type RegisteredRoute, type TestDatabase } from '@gateway/testing';
import { AppModule } from '../../src/app.module';
import { syncAppOptions } from '../../src/app-options';
import { loadSyncConfig } from '../../src/config';
import type { SyncTimings } from '../../src/app.module';

export interface ProxyUnderTest extends RunningApp {
  /** Every route the app registered with Fastify (the security tier's coverage check reads them). */
  routes: RegisteredRoute[];
  /** The captured log lines not yet taken by `takeLogs`. */
  logs: () => string;
  /**
   * The log written since the last call (or the start), which `logs` then no longer holds: a long run
   * reads its log in parts.
   */
  takeLogs: () => string;
  databaseUrl: string;
  stop: () => Promise<void>;
}

export interface StartProxyOptions {
  /** Shorter leases, first-sync wait and poll timeout than production's. */
  timings?: SyncTimings;
  /**
   * Run on this existing database instead of a fresh one, e.g. to restart the proxy on the data an
   * earlier one stored. The caller owns it: stop() leaves it in place.
   */
  databaseUrl?: string;
  /** libs/server's bound on receiving a request, shorter than production's to test it. */
  requestTimeoutMs?: number;
  /**
   * A `/ready` check expected to fail (a test of that dependency being down): start-up waits until every
   * other check passes instead of for the whole report.
   */
  failingCheck?: string;
}

/** Boots the real app in-process in front of `upstream`, on its own database (or `options.databaseUrl`). */
export async function startProxy(
  upstream: string,
  env: Record<string, string> = {},
  options: StartProxyOptions = {},
): Promise<ProxyUnderTest> {
  let db: TestDatabase | undefined;
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined) {
    db = await createTestDatabase();
    databaseUrl = db.url;
  }
  const config = loadSyncConfig({
    SYNCV3_SERVER: upstream,
    SYNCV3_DB: databaseUrl,
    SYNCV3_SECRET: 'test-secret',
    SYNCV3_BINDADDR: '127.0.0.1:0',
    ...env,
  });
  const routes: RegisteredRoute[] = [];
  let logs = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const running = await startApp(AppModule.forRoot(config, options.timings), {
    ...withRouteLog(syncAppOptions(config), routes),
    logLevel: 'debug',
    logDestination: stream,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  // Requests before the database is connected and migrated get 503; tests start from a ready proxy.
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${running.url}/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    const failing = options.failingCheck;
    if (res !== undefined && failing !== undefined) {
      const { checks } = (await res.json()) as { checks: Record<string, string> };
      if (Object.entries(checks).every(([name, result]) => name === failing || result === 'ok')) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ...running,
    routes,
    logs: () => logs,
    takeLogs: () => {
      const taken = logs;
      logs = '';
      return taken;
    },
    databaseUrl,
    stop: async () => {
      await running.app.close();
      await db?.drop();
    },
  };
}
