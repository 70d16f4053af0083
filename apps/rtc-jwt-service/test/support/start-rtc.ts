import { PassThrough } from 'node:stream';
import { startApp, type RunningApp } from '@gateway/server';
import { withRouteLog, type RegisteredRoute } from '@gateway/testing';
import { AppModule } from '../../src/app.module';
import { rtcAppOptions } from '../../src/http/app-options';
import { loadRtcConfig } from '../../src/config';

export interface RtcUnderTest extends RunningApp {
  /** Every route the app registered with Fastify (the security tier's coverage check reads them). */
  routes: RegisteredRoute[];
  /** The captured log lines not yet taken by `takeLogs`. */
  logs: () => string;
  /**
   * The log written since the last call (or the start), which `logs` then no longer holds: a long run
   * reads its log in parts.
   */
  takeLogs: () => string;
  stop: () => Promise<void>;
}

/** Boots the real app in-process from an environment, exactly as main.ts does, with logs captured. */
export async function startRtc(
  env: Record<string, string>,
  /** libs/server's bound on receiving a request, shorter than production's to test it. */
  options: { requestTimeoutMs?: number } = {},
): Promise<RtcUnderTest> {
  const config = loadRtcConfig({ LIVEKIT_JWT_BIND: '127.0.0.1:0', ...env });
  const routes: RegisteredRoute[] = [];
  let logs = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const running = await startApp(AppModule.forRoot(config), {
    ...withRouteLog(rtcAppOptions(config), routes),
    logLevel: 'debug',
    logDestination: stream,
    ...options,
  });
  return {
    ...running,
    routes,
    logs: () => logs,
    takeLogs: () => {
      const taken = logs;
      logs = '';
      return taken;
    },
    stop: () => running.app.close(),
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
