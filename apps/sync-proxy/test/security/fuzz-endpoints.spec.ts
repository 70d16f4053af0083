import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BODYLESS_METHODS,
  FakeHomeserver,
  fuzzSeed,
  newUser,
  syncResponse,
  runFuzzTier,
  type BodyExample,
  type FuzzAnswer,
  type FuzzTarget,
} from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// Every route of the sync proxy that takes a body, FUZZ_BODIES seeded bodies each (10,000 unless set; npm
// test sets 1,000, see tools/test/run-all.mjs), over keep-alive HTTP against the real app on a real database,
// with a signed-in user so the bodies reach the parsers and the engine: no 5xx, no answer slower than the
// deadline, every answer a sync response or a Matrix error, and neither the user's access token nor
// SYNCV3_SECRET in any answer or log line.
const SEED = fuzzSeed(0x5ecf11);
// Fastify's default, which the sync proxy keeps (app-options.ts sets none).
const BODY_LIMIT = 1024 * 1024;
const PROXY_SECRET = 'sync-proxy-secret-never-echoed-41c2';

const BASE = {
  conn_id: 'fuzz',
  lists: {
    all: {
      ranges: [[0, 19]],
      timeline_limit: 1,
      required_state: [
        ['m.room.member', '$LAZY'],
        ['*', '*'],
      ],
      filters: { is_dm: true, spaces: ['!s:hs'], room_name_like: 'x', tags: ['u.a'] },
    },
  },
  room_subscriptions: { '!r:hs': { timeline_limit: 5, required_state: [] } },
  unsubscribe_rooms: ['!q:hs'],
  extensions: {
    to_device: { enabled: true, since: '3' },
    e2ee: { enabled: true },
    typing: { enabled: true },
    'io.element.msc4308.thread_subscriptions': { enabled: true, limit: 5 },
  },
};

/** The same request in the stable API's shape (MSC4186 as merged). */
const STABLE_BASE = {
  conn_id: 'fuzz-v4',
  timeout: 0,
  set_presence: 'offline',
  lists: {
    all: {
      range: [0, 19],
      timeline_limit: 1,
      required_state: { include: [{}], exclude: [{ type: 'm.room.create' }], lazy_members: true },
      filters: { is_dm: true, is_invited: false, spaces: ['!s:hs'], tags: ['u.a'] },
    },
  },
  room_subscriptions: { '!r:hs': { timeline_limit: 5, required_state: { include: [{ state_key: '' }] } } },
  extensions: BASE.extensions,
};

const EXAMPLES: Record<string, BodyExample> = {
  'POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync': { kind: 'json', value: BASE },
  'POST /_matrix/client/unstable/org.matrix.msc3575/sync': { kind: 'json', value: BASE },
  'POST /_matrix/client/v4/sync': { kind: 'json', value: STABLE_BASE },
};

// Routes not fuzzed, each with why; the coverage check fails on a route in neither list, and on a
// reason left here after its route is gone.
const EXCLUDED: Record<string, string> = {};

/** A sync response (a JSON object) or a Matrix error with a 4xx status. */
function matrixShape({ status, text }: FuzzAnswer): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null) return 'not a JSON object';
  if (status === 200) return null;
  return typeof (json as { errcode?: unknown }).errcode === 'string' ? null : 'an error without errcode';
}

describe('sync proxy endpoints under seeded fuzzing', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('fuzz');

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    fake.queue(user.token, syncResponse('s1', {}));
    proxy = await startProxy(
      fake.url,
      { SYNCV3_SECRET: PROXY_SECRET },
      { timings: { firstSyncWaitMs: 2_000, pollTimeoutMs: 1_000 } },
    );
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  it('answers every body of every body-taking route in shape, in time, without a secret', async () => {
    const targets: FuzzTarget[] = [];
    for (const { method, url } of proxy.routes) {
      const route = `${method} ${url}`;
      if (BODYLESS_METHODS.includes(method) || route in EXCLUDED) continue;
      if (targets.some((t) => t.route === route)) continue;
      targets.push({
        route,
        method,
        // timeout=0: a body the engine accepts is answered at once instead of long-polling.
        url: `${proxy.url}${url}?timeout=0`,
        headers: { authorization: `Bearer ${user.token}` },
        example: EXAMPLES[route] ?? { kind: 'json', value: BASE },
        bodyLimit: BODY_LIMIT,
        shape: matrixShape,
      });
    }
    expect(targets.map((t) => t.route)).toContain('POST /_matrix/client/v4/sync');

    const secrets = [user.token, PROXY_SECRET];
    const results = await runFuzzTier('sync-proxy', targets, {
      routes: proxy.routes,
      excluded: EXCLUDED,
      seed: SEED,
      secrets,
      takeLogs: () => proxy.takeLogs(),
    });
    // The fuzzing reached the engine, not only the parser's refusals.
    for (const path of Object.keys(EXAMPLES))
      expect(results.find((r) => r.route === path)?.statuses['200'], path).toBeGreaterThan(10);
  });
});
