/**
 * bench/sync: `npm run bench:sync [-- --rooms N --reps N --clients 100,1000 --messages N --rounds N]`.
 * The sync proxy against Synapse's own MSC4186 sliding sync, on one Synapse, in the same run; alice's
 * device P syncs through the proxy, her device N against Synapse (so the proxy's poller, which takes
 * P's to-device messages, never touches N):
 *  1. first response of Element X's room list on a new connection (goal: p50 ratio <= 0.33);
 *  2. the whole list as rust-sdk's growing mode loads it;
 *  3. send -> receive through a long-poll (goal: p50 <= 1.15 × native; --rounds: the sides alternate);
 *  4. the proxy's RSS idle and with many long-polling connections;
 *  5. the proxy's database size per room.
 * For reading 3, the same send -> receive on a plain /v3/sync long-poll: what each proxy poller waits on.
 * Writes bench/results/sync.json; BENCH_PROFILE=1 runs the proxy with `--cpu-prof` (into /tmp/sync-prof).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, createTestRedis } from '@gateway/testing';
import { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';
import { databaseSize } from './db-size';
import { firstResponse, fullList, holders, sendToReceive, type Side } from './measures';
import { spawnProxy, type ProxyChild } from './proxy';
import { seededSynapse } from './seed-cache';
import { sync, roomListBody } from './sliding';
import { quantile, round, summary, table } from './stats';
import { v2SendToReceive } from './v2';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '20' },
    clients: { type: 'string', default: '100,1000' },
    messages: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '1' },
    'warm-ups': { type: 'string', default: '2' },
    'full-reps': { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
});
const ROOMS = Number(args.rooms);
const REPS = Number(args.reps);
/** Measure 2 alone can take most of a run at 10,000 rooms (native answers each request in seconds). */
const FULL_REPS = Number(args['full-reps'] ?? args.reps);
const CLIENTS = args.clients
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const MESSAGES = Number(args.messages);
/** Measure 3's blocks per side: 1 measures native and /v3 before the proxy starts, more alternate them. */
const ROUNDS = Number(args.rounds);
/** Between starting a long-poll and the send it should receive: time for the request to reach its wait. */
const GAP_MS = 200;
/** Unmeasured requests per side before measures 1 and 2. */
const WARM_UPS = Number(args['warm-ups']);
if (!Number.isInteger(WARM_UPS) || WARM_UPS < 0) throw new Error('--warm-ups must be 0 or more');
for (const [name, v] of [
  ['--rooms', ROOMS],
  ['--reps', REPS],
  ['--full-reps', FULL_REPS],
  ['--messages', MESSAGES],
  ['--rounds', ROUNDS],
  ...CLIENTS.map((c) => ['--clients', c] as const),
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
}
if (ROUNDS > MESSAGES) throw new Error('--rounds must be at most --messages');

const root = resolve(__dirname, '../../..');
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Phase starts on the monotonic clock (µs), which V8 CPU profiles use too: for slicing a BENCH_PROFILE. */
const phases: { name: string; atUs: number }[] = [];
const phase = (line: string): void => {
  phases.push({ name: line.replace(/[:…].*$/, ''), atUs: Number(process.hrtime.bigint() / 1000n) });
  log(line);
};
const elapsed = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const started = performance.now();
  const t0 = performance.now();
  const { synapse, a, b, seeded, restored } = await seededSynapse(ROOMS, args.fresh, (line) => {
    if (line.startsWith('seeding')) phase(line);
    else log(`${line}, ${elapsed(t0)}`);
  });
  const seedSeconds = round((performance.now() - t0) / 1000);
  const cleanups: (() => Promise<void>)[] = [() => synapse.stop()];
  /** The proxy's last log lines, printed when the run fails (the proxy logs at warn and above). */
  let proxyOutput: (() => string) | undefined;
  try {
    const bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    const dm = seeded.dms[0];
    if (dm === undefined) throw new Error('--rooms must be at least 10, for one DM with bob');

    const devP = await TestClient.login(synapse.baseUrl, a.userId, a.password, 'BENCHPROXY');
    const devN = await TestClient.login(synapse.baseUrl, a.userId, a.password, 'BENCHNATIVE');
    const devV = await TestClient.login(synapse.baseUrl, a.userId, a.password, 'BENCHV2');
    const native: Side = { name: 'native', baseUrl: synapse.baseUrl, token: devN.accessToken };

    // The machine may be shared: its load goes with each latency figure (1-minute load average).
    const load = (): number => round(loadavg()[0] ?? 0, 2);

    const db = await createTestDatabase('gw_bench_sync');
    cleanups.push(() => db.drop());
    const redis = await createTestRedis();
    cleanups.push(() => redis.cleanup());
    const env = {
      SYNCV3_SERVER: synapse.baseUrl,
      SYNCV3_DB: db.url,
      SYNCV3_SECRET: randomBytes(32).toString('hex'),
      SYNCV3_REDIS: redis.url,
    };
    const profile =
      process.env['BENCH_PROFILE'] === '1' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/sync-prof'] : [];
    const startProxy = () => spawnProxy(resolve(root, 'dist/apps/sync-proxy/main.js'), env, profile);
    const sideOf = (p: ProxyChild): Side => ({ name: 'proxy', baseUrl: p.url, token: devP.accessToken });

    // 3. Send → receive. Native and /v3 go first, before the proxy starts: a deployment runs one or the
    // other, and the proxy's poller would add its own /sync work to Synapse's for every message. With
    // --rounds above 1 the sides alternate in blocks, the proxy stopped while the others run and started
    // again on the same database, so that a drift of Synapse over minutes lands on both (bench/README:
    // the two forms disagree, and why is open).
    const latency = { native: [] as number[], proxy: [] as number[], v2: [] as number[] };
    const sinceCreated = { native: [] as number[], proxy: [] as number[], v2: [] as number[] };
    const loads = { native: [] as number[], proxy: [] as number[] };
    const delivery = new Map<string, number>();
    const pollLags = new Map<string, number>();
    const blockSize = (r: number): number =>
      Math.floor((MESSAGES * (r + 1)) / ROUNDS) - Math.floor((MESSAGES * r) / ROUNDS);
    const blockName = (r: number): string =>
      ROUNDS === 1 ? '' : `, block ${String(r + 1)}/${String(ROUNDS)}`;
    const progressOf =
      (n: number) =>
      (done: number): void => {
        log(`  ${String(done)}/${String(n)}`);
      };
    let v2Since: string | undefined;
    /** Block `r` of native and of the /v3 long-poll (the proxy is not running). */
    const otherSides = async (r: number) => {
      const n = blockSize(r);
      phase(`send → receive, native: ${String(n)} messages${blockName(r)}…`);
      loads.native.push(load());
      const nat = await sendToReceive(native, bob, dm, n, GAP_MS, progressOf(n));
      phase(`send → receive, /v3/sync long-poll: ${String(n)} messages${blockName(r)}…`);
      const v2 = await v2SendToReceive(synapse.baseUrl, devV.accessToken, bob, dm, n, GAP_MS, v2Since);
      v2Since = v2.since;
      return { nat, v2 };
    };
    const firstBlock = await otherSides(0);

    let proxy = await startProxy();
    cleanups.push(() => proxy.stop());
    proxyOutput = () => proxy.output();
    const rssAtStart = proxy.memory().rssMiB;
    /**
     * RSS moves with garbage collection: the median of five readings over two seconds, with the V8 heap
     * in use (live objects and garbage not yet collected) from the proxy's /metrics.
     */
    const rss = async (): Promise<{ rssMiB: number; heapUsedMiB: number }> => {
      const xs: number[] = [];
      const heap: number[] = [];
      for (let i = 0; i < 5; i++) {
        if (i > 0) await sleep(500);
        xs.push(proxy.memory().rssMiB);
        heap.push((await proxy.gauge('nodejs_heap_size_used_bytes')) / 2 ** 20);
      }
      return { rssMiB: round(quantile(xs, 0.5)), heapUsedMiB: round(quantile(heap, 0.5)) };
    };

    // Warm-up: device P's first request starts its poller; wait until the proxy holds every room.
    phase('proxy: first sync of device P…');
    const tw = performance.now();
    let count = 0;
    while (count !== ROOMS) {
      if (performance.now() - tw > 15 * 60_000)
        throw new Error(`proxy warm-up stuck at ${String(count)} rooms`);
      count = (await sync(proxy.url, devP.accessToken, roomListBody('warm-up', 19))).count;
      if (count !== ROOMS) await sleep(500);
    }
    const warmSeconds = round((performance.now() - tw) / 1000);
    log(`  all ${String(ROOMS)} rooms after ${String(warmSeconds)} s`);
    const dbAfterWarm = await databaseSize(db.url, ROOMS);
    log(`  proxy database: ${String(dbAfterWarm.perRoomKiB)} KiB per room`);
    const rssAfterWarm = await rss();

    for (let r = 0; r < ROUNDS; r++) {
      let others = firstBlock;
      if (r > 0) {
        await proxy.stop();
        others = await otherSides(r);
        proxy = await startProxy();
        // Its poller catches up on the other sides' messages first: one message through it, so that
        // the catch-up is not counted in the poller's lag.
        await sendToReceive(sideOf(proxy), bob, dm, 0, GAP_MS, () => undefined);
      }
      const n = blockSize(r);
      phase(`send → receive, proxy: ${String(n)} messages${blockName(r)}…`);
      const delivery0 = await proxy.samples('sync_proxy_delivery_seconds');
      const pollLag0 = await proxy.samples('sync_proxy_poll_lag_seconds');
      loads.proxy.push(load());
      const px = await sendToReceive(sideOf(proxy), bob, dm, n, GAP_MS, progressOf(n));
      addDelta(delivery, delivery0, await proxy.samples('sync_proxy_delivery_seconds'));
      addDelta(pollLags, pollLag0, await proxy.samples('sync_proxy_poll_lag_seconds'));
      for (const [side, got] of [
        ['native', others.nat],
        ['v2', others.v2],
        ['proxy', px],
      ] as const) {
        latency[side].push(...got.times);
        sinceCreated[side].push(...got.sinceCreated);
      }
      log(
        `  p50${ROUNDS === 1 ? '' : ' so far'}: proxy ${String(summary(latency.proxy).p50)} ms, native ${String(summary(latency.native).p50)} ms`,
      );
    }
    const proxySide = sideOf(proxy);
    const { native: nativeLatency, proxy: proxyLatency, v2: v2Latency } = latency;
    const { native: nativeSinceCreated, proxy: proxySinceCreated, v2: v2SinceCreated } = sinceCreated;
    const loadNative = round(quantile(loads.native, 0.5), 2);
    const loadProxy = round(quantile(loads.proxy, 0.5), 2);
    const proxySplit = deliverySplit(delivery);
    const pollLag = histogramMs(pollLags, 'sync_proxy_poll_lag_seconds');

    // 1 and 2, interleaved rep by rep (alternating which side goes first) so drift hits both alike.
    const sides = [proxySide, native];
    const first: Record<Side['name'], number[]> = { proxy: [], native: [] };
    const full: Record<Side['name'], number[]> = { proxy: [], native: [] };
    const fullRequests: Record<Side['name'], number> = { proxy: 0, native: 0 };
    phase(`first response: ${String(REPS)} reps…`);
    // The proxy's own CPU per request, to tell its work from its waiting (on Postgres).
    const cpu0 = proxy.cpuMs();
    for (let rep = -WARM_UPS; rep < REPS; rep++) {
      for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
        const ms = await firstResponse(side, `first-${String(rep)}-${side.name}`, ROOMS);
        if (rep >= 0) first[side.name].push(ms);
      }
    }
    const firstCpuMs = round((proxy.cpuMs() - cpu0) / (REPS + WARM_UPS));
    log(`  p50 proxy ${String(summary(first.proxy).p50)} ms, native ${String(summary(first.native).p50)} ms`);
    phase(`full list: ${String(FULL_REPS)} reps…`);
    const cpu1 = proxy.cpuMs();
    for (let rep = -WARM_UPS; rep < FULL_REPS; rep++) {
      for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
        const r = await fullList(side, `full-${String(rep)}-${side.name}`, ROOMS);
        if (rep >= 0) full[side.name].push(r.ms);
        fullRequests[side.name] = r.requests;
      }
      if (rep >= 0 && (rep + 1) % 5 === 0) log(`  ${String(rep + 1)}/${String(FULL_REPS)}`);
    }
    const fullCpuMs = round((proxy.cpuMs() - cpu1) / (FULL_REPS + WARM_UPS));
    log(`  p50 proxy ${String(summary(full.proxy).p50)} ms, native ${String(summary(full.native).p50)} ms`);

    // 4. RSS while n connections wait in long-polls.
    await sleep(2_000);
    const rssIdle = await rss();
    const held = holders(proxySide);
    const rssHeld: { clients: number; rssMiB: number; heapUsedMiB: number; waiting: number }[] = [];
    for (const n of CLIENTS) {
      phase(`proxy RSS with ${String(n)} long-polling connections…`);
      await held.hold(n);
      let waiting = 0;
      for (let i = 0; i < 120 && waiting < n; i++) {
        await sleep(500);
        waiting = await proxy.gauge('sync_proxy_waiters');
      }
      if (waiting < n) log(`  only ${String(waiting)} of ${String(n)} were waiting`);
      rssHeld.push({ clients: n, ...(await rss()), waiting });
      log(
        `  RSS ${String(rssHeld.at(-1)?.rssMiB)} MiB, ${String(waiting)} waiting, ${String(held.limited())} told to retry so far`,
      );
      await held.release();
      // The next step counts waiters again: the ones just hung up on must be gone first.
      for (let i = 0; i < 60 && waiting > 0; i++) {
        await sleep(250);
        waiting = await proxy.gauge('sync_proxy_waiters');
      }
      if (waiting > 0)
        throw new Error(`${String(waiting)} long-polls still waiting after the clients hung up`);
    }
    const peakMiB = round(proxy.memory().peakMiB);

    phase('database size');
    // 5. Database size, with the connections all of the above left behind. (A pruning pass would not
    // show here: Postgres reuses deleted rows' space but does not give it back.)
    const dbAtEnd = await databaseSize(db.url, ROOMS);

    const ratio = (p: number[], n: number[]): number =>
      round(summary(p).p50 / Math.max(summary(n).p50, 0.001), 3);
    // The proxy's gap over the /v3 floor, split with the event's creation time as the common origin
    // (differences of medians, so an estimate): the poller's upstream leg is how much later than the
    // reference /v3 long-poll Synapse answers the poller; the hop is what remains after the own part.
    const createdToClient = {
      proxy: summary(proxySinceCreated),
      native: summary(nativeSinceCreated),
      v2LongPoll: summary(v2SinceCreated),
    };
    const gapSplitMs = {
      upstreamLeg: round(pollLag.p50 - createdToClient.v2LongPoll.p50, 2),
      hop: round(createdToClient.proxy.p50 - pollLag.p50 - (proxySplit['total']?.p50 ?? NaN), 2),
    };
    const result = {
      date: new Date().toISOString(),
      settings: {
        rooms: ROOMS,
        reps: REPS,
        fullReps: FULL_REPS,
        clients: CLIENTS,
        messages: MESSAGES,
        rounds: ROUNDS,
        gapMs: GAP_MS,
        warmUps: WARM_UPS,
      },
      setup: {
        restoredFromCache: restored,
        seedSeconds,
        dms: seeded.dms.length,
        groups: seeded.groups,
        proxyFirstSyncSeconds: warmSeconds,
      },
      firstResponse: {
        proxy: summary(first.proxy),
        native: summary(first.native),
        p50Ratio: ratio(first.proxy, first.native),
        goal: '<= 0.33',
        proxyCpuMsPerRequest: firstCpuMs,
      },
      fullList: {
        proxy: { ...summary(full.proxy), requests: fullRequests.proxy },
        native: { ...summary(full.native), requests: fullRequests.native },
        p50Ratio: ratio(full.proxy, full.native),
        proxyCpuMsPerList: fullCpuMs,
      },
      sendToReceive: {
        proxy: summary(proxyLatency),
        native: summary(nativeLatency),
        p50Ratio: ratio(proxyLatency, nativeLatency),
        goal: 'p50 <= 1.15 x native',
        v2LongPoll: summary(v2Latency),
        proxySplitMs: proxySplit,
        eventCreatedToClient: createdToClient,
        eventCreatedToProxyPoller: pollLag,
        gapSplitMs,
        loadAverage: { native: loadNative, proxy: loadProxy, perRound: loads },
      },
      proxyRss: {
        atStartMiB: round(rssAtStart),
        afterWarmUp: rssAfterWarm,
        idle: rssIdle,
        held: rssHeld,
        peakMiB,
      },
      database: { afterWarmUp: dbAfterWarm, atEnd: dbAtEnd },
      totalSeconds: round((performance.now() - started) / 1000),
      phases,
    };
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/sync.json'), JSON.stringify(result, null, 2));

    const pair = (s: { p50: number; p95: number; p99: number }, hi: 'p95' | 'p99'): string =>
      `${String(s.p50)} / ${String(s[hi])}`;
    log('');
    log(
      table(
        ['', 'proxy', 'native', 'ratio', 'goal'],
        [
          [
            `first response p50 / p95 (ms)`,
            pair(result.firstResponse.proxy, 'p95'),
            pair(result.firstResponse.native, 'p95'),
            String(result.firstResponse.p50Ratio),
            '≤ 0.33',
          ],
          [
            'proxy CPU per first response / per full list (ms)',
            `${String(firstCpuMs)} / ${String(fullCpuMs)}`,
            '',
            '',
            '',
          ],
          [
            `full list p50 / p95 (ms, ${String(fullRequests.proxy)} / ${String(fullRequests.native)} requests)`,
            pair(result.fullList.proxy, 'p95'),
            pair(result.fullList.native, 'p95'),
            String(result.fullList.p50Ratio),
            '',
          ],
          [
            `send → receive p50 / p99 (ms; load ${String(loadProxy)} / ${String(loadNative)})`,
            pair(result.sendToReceive.proxy, 'p99'),
            pair(result.sendToReceive.native, 'p99'),
            String(result.sendToReceive.p50Ratio),
            '≤ 1.15',
          ],
          [
            `… the proxy's own part, p50 (ms): ${Object.keys(proxySplit).join(' / ')}`,
            Object.values(proxySplit)
              .map((x) => String(x.p50))
              .join(' / '),
            '',
            '',
            '',
          ],
          [
            `… the same, mean (ms)`,
            Object.values(proxySplit)
              .map((x) => String(x.mean))
              .join(' / '),
            '',
            '',
            '',
          ],
          [
            'event created → client has it p50 (ms; native column: native / /v3 long-poll)',
            String(createdToClient.proxy.p50),
            `${String(createdToClient.native.p50)} / ${String(createdToClient.v2LongPoll.p50)}`,
            '',
            '',
          ],
          [
            "… event created → proxy's poller has it, p50 / mean (ms)",
            `${String(pollLag.p50)} / ${String(pollLag.mean)}`,
            '',
            '',
            '',
          ],
          [
            '… the gap over /v3: upstream leg / hop back to the client (ms, from p50s)',
            `${String(gapSplitMs.upstreamLeg)} / ${String(gapSplitMs.hop)}`,
            '',
            '',
            '',
          ],
          [
            `proxy RSS after warm-up / idle / ${CLIENTS.join(' / ')} long-polls (MiB)`,
            [rssAfterWarm, rssIdle, ...rssHeld].map((m) => String(m.rssMiB)).join(' / '),
            '',
            '',
            '',
          ],
          [
            '… of which V8 heap in use (MiB)',
            [rssAfterWarm, rssIdle, ...rssHeld].map((m) => String(m.heapUsedMiB)).join(' / '),
            '',
            '',
            '',
          ],
          [
            '/v3/sync long-poll send → receive p50 / p99 (ms)',
            '',
            pair(result.sendToReceive.v2LongPoll, 'p99'),
            '',
            '(floor under the proxy)',
          ],
          [
            `proxy DB per room after warm-up / at end (KiB; ${String(dbAtEnd.connections)} connections)`,
            `${String(dbAfterWarm.perRoomKiB)} / ${String(dbAtEnd.perRoomKiB)}`,
            '',
            '',
            '',
          ],
          ['proxy DB per connection (KiB)', String(dbAtEnd.perConnectionKiB), '', '', ''],
        ],
      ),
    );
    log(
      `\n${String(ROOMS)} rooms ${restored ? 'restored from the cache' : 'seeded'} in ${String(seedSeconds)} s; the proxy's first sync of device P took ${String(warmSeconds)} s; total ${elapsed(started)}`,
    );
  } catch (err) {
    if (proxyOutput !== undefined)
      process.stderr.write(`--- the proxy's last output ---\n${proxyOutput()}\n`);
    throw err;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => {
        process.stderr.write(`cleanup: ${String(err)}\n`);
      });
    }
  }
}

/** Adds what each sample of `after` grew by since `before` to `into` (readings of one process). */
function addDelta(into: Map<string, number>, before: Map<string, number>, after: Map<string, number>): void {
  for (const [key, value] of after) into.set(key, (into.get(key) ?? 0) + value - (before.get(key) ?? 0));
}

/**
 * Per stage of `sync_proxy_delivery_seconds`, in samples summed over the measured blocks (`addDelta`): the
 * mean and the median (interpolated within its histogram bucket) in ms of the proxy's own part of each
 * delivery.
 */
function deliverySplit(samples: Map<string, number>): Record<string, { mean: number; p50: number }> {
  const out: Record<string, { mean: number; p50: number }> = {};
  for (const stage of ['store', 'wake', 'recompute', 'total']) {
    const { mean, p50 } = histogramMs(samples, 'sync_proxy_delivery_seconds', `stage="${stage}"`);
    out[stage] = { mean, p50 };
  }
  return out;
}

/**
 * One series of a histogram in seconds (`labels` as /metrics prints them after `le`, e.g. `stage="wake"`;
 * none for a histogram without labels), in samples summed over the measured blocks (`addDelta`): how many
 * were observed, and their mean and median (interpolated within its bucket) in ms.
 */
function histogramMs(
  samples: Map<string, number>,
  metric: string,
  labels?: string,
): { n: number; mean: number; p50: number } {
  const of = (key: string): number => samples.get(key) ?? 0;
  const series = labels === undefined ? '' : `{${labels}}`;
  const count = of(`${metric}_count${series}`);
  const sum = of(`${metric}_sum${series}`);
  const bucketKey = new RegExp(
    `^${metric}_bucket\\{le="([^"]+)"${labels === undefined ? '' : `,${labels}`}\\}$`,
  );
  const buckets = [...samples.keys()]
    .map((key) => ({ key, le: bucketKey.exec(key) }))
    .filter((b) => b.le !== null && b.le[1] !== '+Inf')
    .map((b) => ({ le: Number(b.le?.[1]), n: of(b.key) }))
    .sort((x, y) => x.le - y.le);
  let p50 = NaN;
  let lower = { le: 0, n: 0 };
  for (const b of buckets) {
    if (b.n >= count / 2 && count > 0) {
      const within = b.n === lower.n ? 0 : (count / 2 - lower.n) / (b.n - lower.n);
      p50 = (lower.le + within * (b.le - lower.le)) * 1000;
      break;
    }
    lower = b;
  }
  return { n: count, mean: count === 0 ? NaN : round((sum * 1000) / count, 2), p50: round(p50, 2) };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench/sync failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
