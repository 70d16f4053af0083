/**
 * bench/sync paired form: two builds of the proxy side by side on one Synapse, each with its own device of
 * alice, its own database and Redis, woken by the same messages: `node dist/bench/sync/paired.js
 * --a <dir of main.js> --b <dir of main.js> [--rooms N --messages N]`. Each message reaches both at
 * once, so a load spike on a shared machine hits both alike; the per-message ratio b ÷ a and each
 * build's own part (`sync_proxy_delivery_seconds`) are what it compares.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, createTestRedis, startSynapse } from '@gateway/testing';
import { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';
import { spawnProxy, type ProxyChild } from './proxy';
import { seedRooms } from './seed';
import { roomListBody, sync, type SyncAnswer } from './sliding';
import { quantile, round } from './stats';

const { values: args } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rooms: { type: 'string', default: '200' },
    messages: { type: 'string', default: '60' },
  },
});
if (args.a === undefined || args.b === undefined) throw new Error('--a and --b are required');
const builds = { a: resolve(args.a, 'main.js'), b: resolve(args.b, 'main.js') };
const ROOMS = Number(args.rooms);
const MESSAGES = Number(args.messages);
const GAP_MS = 200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Side {
  name: 'a' | 'b';
  proxy: ProxyChild;
  token: string;
  pos: string;
  times: number[];
}

async function main(): Promise<void> {
  const synapse = await startSynapse({ mode: 'plain' });
  const cleanups: (() => Promise<void>)[] = [() => synapse.stop()];
  try {
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    const alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    const bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    log(`seeding ${String(ROOMS)} rooms…`);
    const seeded = await seedRooms(alice, bob, ROOMS, () => undefined);
    const dm = seeded.dms[0];
    if (dm === undefined) throw new Error('--rooms must be at least 10');

    const sides: Side[] = [];
    for (const name of ['a', 'b'] as const) {
      const dev = await TestClient.login(
        synapse.baseUrl,
        a.userId,
        a.password,
        `PAIRED${name.toUpperCase()}`,
      );
      const db = await createTestDatabase(`gw_bench_paired_${name}`);
      cleanups.push(() => db.drop());
      const redis = await createTestRedis();
      cleanups.push(() => redis.cleanup());
      const proxy = await spawnProxy(
        builds[name],
        {
          SYNCV3_SERVER: synapse.baseUrl,
          SYNCV3_DB: db.url,
          SYNCV3_SECRET: randomBytes(32).toString('hex'),
          SYNCV3_REDIS: redis.url,
        },
        [],
      );
      cleanups.push(() => proxy.stop());
      sides.push({ name, proxy, token: dev.accessToken, pos: '', times: [] });
    }

    const body = roomListBody('paired', 19);
    for (const side of sides) {
      let count = 0;
      while (count !== ROOMS) {
        const r = await sync(side.proxy.url, side.token, body);
        count = r.count;
        side.pos = r.pos;
        if (count !== ROOMS) await sleep(500);
      }
    }
    const delivery0 = await Promise.all(sides.map((s) => s.proxy.samples('sync_proxy_delivery_seconds')));
    const loads: number[] = [];
    for (let i = -1; i < MESSAGES; i++) {
      for (const side of sides)
        side.pos = (await sync(side.proxy.url, side.token, body, { pos: side.pos, timeout: 0 })).pos;
      const pending = sides.map((side) => ({
        side,
        answer: sync(side.proxy.url, side.token, body, { pos: side.pos, timeout: 30_000 }),
      }));
      await sleep(GAP_MS);
      loads.push(loadavg()[0] ?? 0);
      const t0 = performance.now();
      const eventId = await bob.send(dm, `paired ${String(i)}`);
      await Promise.all(
        pending.map(async ({ side, answer }) => {
          const got = await receive(side, body, dm, eventId, answer);
          // The first message only brings the DM into the window.
          if (i >= 0) side.times.push(got.at - t0);
          side.pos = got.pos;
        }),
      );
    }
    const delivery1 = await Promise.all(sides.map((s) => s.proxy.samples('sync_proxy_delivery_seconds')));
    const [sa, sb] = sides;
    if (sa === undefined || sb === undefined) throw new Error('two sides');
    const ratios = sa.times.map((t, i) => (sb.times[i] ?? NaN) / t);
    log(`load average during the messages: median ${String(round(quantile(loads, 0.5), 2))}`);
    for (const [k, side] of sides.entries()) {
      const split = ownPart(
        delivery0[k] ?? new Map<string, number>(),
        delivery1[k] ?? new Map<string, number>(),
      );
      log(
        `${side.name} (${builds[side.name]}): send → receive p50 ${String(round(quantile(side.times, 0.5)))} ms; ` +
          `own part mean (ms) store ${split.store} / wake ${split.wake} / recompute ${split.recompute} / total ${split.total}`,
      );
    }
    log(`per-message ratio b ÷ a: p50 ${String(round(quantile(ratios, 0.5), 3))}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function receive(
  side: Side,
  body: Record<string, unknown>,
  roomId: string,
  eventId: string,
  pending: Promise<SyncAnswer>,
): Promise<{ pos: string; at: number }> {
  let next = pending;
  for (let i = 0; i < 20; i++) {
    const r = await next;
    const at = performance.now();
    if ((r.rooms[roomId]?.timeline ?? []).some((e) => e.event_id === eventId)) return { pos: r.pos, at };
    next = sync(side.proxy.url, side.token, body, { pos: r.pos, timeout: 30_000 });
  }
  throw new Error(`${side.name}: ${eventId} did not arrive in 20 answers`);
}

/** Mean of each stage of `sync_proxy_delivery_seconds` between two scrapes, in ms. */
function ownPart(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta = (key: string): number => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const out: Record<string, number> = {};
  for (const stage of ['store', 'wake', 'recompute', 'total']) {
    const count = delta(`sync_proxy_delivery_seconds_count{stage="${stage}"}`);
    const sum = delta(`sync_proxy_delivery_seconds_sum{stage="${stage}"}`);
    out[stage] = count === 0 ? NaN : round((sum * 1000) / count, 2);
  }
  return out;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `paired failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
