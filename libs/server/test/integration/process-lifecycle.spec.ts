import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, freePort, type TestDatabase } from '@gateway/testing';

const dist = (app: string) => resolve(__dirname, `../../../../dist/apps/${app}/main.js`);

interface Exited {
  code: number | null;
  stderr: string;
  ms: number;
}

function exited(child: ChildProcess, since: number): Promise<Exited> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) =>
    child.on('exit', (code) => {
      done({ code, stderr, ms: Date.now() - since });
    }),
  );
}

// The built services as an operator runs them (npm test builds them first): a bad setting stops start-up
// naming the variable, and SIGTERM drains in-flight requests and exits 0 well within 10 s.
describe('service processes', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let db: TestDatabase;

  beforeAll(async () => {
    // A homeserver that takes its time over one path, to have a request in flight at SIGTERM.
    upstream = createServer((req, res) => {
      if (req.url?.startsWith('/_matrix/client/v3/sync') === true) return; // a long-poll with nothing to say
      const delay = req.url?.startsWith('/slow') === true ? 1_500 : 0;
      setTimeout(
        () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"versions":["v1.11"]}'),
        delay,
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    db = await createTestDatabase();
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
    await db.drop();
  });

  it.each([
    [
      'sync-proxy',
      { SYNCV3_DB: 'postgres://x/y', SYNCV3_SECRET: 's', SYNCV3_SERVER: 'not a url' },
      'SYNCV3_SERVER: must be an http(s) URL',
    ],
    ['auth-service', {}, 'AUTH_ISSUER: is required'],
    [
      'rtc-jwt-service',
      { LIVEKIT_URL: 'wss://x', LIVEKIT_KEY: 'k', LIVEKIT_SECRET: 's' },
      'LIVEKIT_FULL_ACCESS_HOMESERVERS environment variable must be set',
    ],
  ])('%s refuses to start on bad configuration, naming the variable', async (app, env, message) => {
    const child = spawn(process.execPath, [dist(app)], {
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const result = await exited(child, Date.now());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('drains an in-flight request on SIGTERM and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [dist('sync-proxy')], {
      env: {
        PATH: process.env['PATH'],
        SYNCV3_SERVER: upstreamUrl,
        SYNCV3_DB: db.url,
        SYNCV3_SECRET: 's',
        SYNCV3_BINDADDR: `127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const inFlight = fetch(`${url}/slow/request`).then(async (r) => ({
      status: r.status,
      body: await r.text(),
    }));
    const longPoll = fetch(`${url}/_matrix/client/v3/sync?timeout=30000`).then(
      (r) => r.status,
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 300));
    const since = Date.now();
    child.kill('SIGTERM');
    const done = exited(child, since);
    expect(await inFlight).toEqual({ status: 200, body: '{"versions":["v1.11"]}' });
    // The long-poll is cut rather than awaited: the client polls again, and shutdown stays quick.
    expect(await longPoll).not.toBe(200);
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(5_000);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
