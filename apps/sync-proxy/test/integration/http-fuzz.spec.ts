import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { FakeHomeserver, newUser, syncResponse } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// Mutated requests over HTTP, against the whole app (auth, parsing, engine, database): every answer is
// a 200 or a Matrix error with a 4xx status, never a 5xx and never a hang. The parser's own fuzz test
// covers far more shapes; this one proves nothing between the socket and the parser breaks.
const SEED = 0x5c0de;
const ROUNDS = 300;

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

const ODD = [
  null,
  true,
  -1,
  1.5,
  1e300,
  '',
  'x'.repeat(5000),
  [],
  {},
  { __proto__: { x: 1 } },
  [[-1, 2]],
  '__proto__',
];

function mutate(value: unknown, next: () => number, depth = 0): unknown {
  if (next() < 0.04) return ODD[Math.floor(next() * ODD.length)];
  if (Array.isArray(value)) return value.map((v) => mutate(v, next, depth + 1));
  if (typeof value === 'object' && value !== null && depth < 6) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (next() < 0.03) continue;
      out[next() < 0.02 ? '__proto__' : k] = mutate(v, next, depth + 1);
    }
    return out;
  }
  return value;
}

describe('sliding sync endpoints under mutated input', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('fuzz');

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    fake.queue(user.token, syncResponse('s1', {}));
    proxy = await startProxy(fake.url, {}, { timings: { firstSyncWaitMs: 2_000, pollTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  it('never answers 5xx', async () => {
    const next = seededRandom(SEED);
    const paths = [
      '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync',
      '/_matrix/client/unstable/org.matrix.msc3575/sync',
      '/_matrix/client/v4/sync',
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < ROUNDS; i++) {
      const stable = i % 3 === 2;
      const body = next() < 0.1 ? '{"lists": ' : JSON.stringify(mutate(stable ? STABLE_BASE : BASE, next));
      const query = new URLSearchParams();
      if (next() < 0.5)
        query.set('timeout', next() < 0.8 ? '0' : JSON.stringify(ODD[Math.floor(next() * ODD.length)]));
      if (next() < 0.3) query.set('pos', next() < 0.5 ? String(Math.floor(next() * 1e6)) : 'x1');
      const res = await fetch(`${proxy.url}${paths[i % 3] ?? ''}?${query.toString()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${body} → ${text}`).toBeLessThan(500);
      if (res.status !== 200) expect(JSON.parse(text), text).toHaveProperty('errcode');
    }
    // Both outcomes happened: the mutations reach the engine, not only the parser's error paths.
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 120_000);
});
