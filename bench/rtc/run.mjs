// bench/rtc: POST /get_token throughput and latency, rtc-jwt-service (with the MSC4502 membership check)
// against a bare baseline in the same run, plus the cold path (a new user and OpenID token each time)
// against one userinfo round trip plus one is_joined round trip.
// Usage: npm run bench:rtc [-- --seconds 10 --rounds 5 --connections 50 --hs-delay-ms 20]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'hs-delay-ms': { type: 'string', default: '20' },
    'cold-requests': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
  },
});
const root = resolve(import.meta.dirname, '../..');
const KEY = 'benchkey';
const SECRET = 'bench-secret-bench-secret-bench-secret';
const LIVEKIT_URL = 'wss://sfu.bench.invalid';
const hsDelay = Number(args['hs-delay-ms']);

// A homeserver whose userinfo and MSC4502 is_joined answer after a fixed delay, each standing in for one
// network round trip. The token `cold-<id>` belongs to `@cold-<id>:hs.bench`, any other to alice; every
// user asked about is joined, no server is (so a restricted user's request never creates a room).
const hs = createServer((req, res) => {
  const url = new URL(req.url, 'http://hs.bench');
  let body;
  if (url.pathname.endsWith('/is_joined')) {
    body = JSON.stringify({ joined: url.searchParams.has('mxid') });
  } else {
    const token = url.searchParams.get('access_token') ?? '';
    body = JSON.stringify({ sub: token.startsWith('cold-') ? `@${token}:hs.bench` : '@alice:hs.bench' });
  }
  setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body), hsDelay);
});
await new Promise((r) => hs.listen(0, '127.0.0.1', r));
const hsUrl = `http://127.0.0.1:${hs.address().port}`;

const children = [];
// BENCH_PROFILE=<dir> writes a CPU profile of the service (node --cpu-prof) into <dir> when it stops.
const profileDir = process.env.BENCH_PROFILE;
const start = (file, argv, env = {}, nodeArgs = []) => {
  const child = spawn(process.execPath, [...nodeArgs, file, ...argv], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
};
const waitFor = async (url, init) => {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, init);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
};

const rtcPort = 18700 + Math.floor(Math.random() * 200);
const basePort = rtcPort + 300;
start(
  resolve(root, 'dist/apps/rtc-jwt-service/main.js'),
  [],
  {
    LIVEKIT_JWT_BIND: `127.0.0.1:${rtcPort}`,
    LIVEKIT_URL,
    LIVEKIT_KEY: KEY,
    LIVEKIT_SECRET: SECRET,
    // Not a full-access server: no CreateRoom round trip, so both sides do the same work.
    LIVEKIT_FULL_ACCESS_HOMESERVERS: 'elsewhere.bench',
    LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.bench=${hsUrl}`,
    // Membership checked on hs.bench, as a 0.7-style deployment does (default 5 s answer cache).
    LIVEKIT_CS_API_URL_OVERRIDES: `hs.bench=${hsUrl}`,
    LIVEKIT_AS_TOKEN: 'bench-as-token',
    LIVEKIT_HS_TOKEN: 'bench-hs-token',
    LIVEKIT_HS_SERVER_NAME: 'hs.bench',
    LIVEKIT_LOG_LEVEL: 'error',
    RTC_RATE_LIMIT_PER_IP: '0',
    RTC_RATE_LIMIT_PER_USER: '0',
  },
  profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
);
start(resolve(root, 'bench/rtc/baseline.mjs'), [String(basePort), KEY, SECRET, LIVEKIT_URL]);
await waitFor(`http://127.0.0.1:${rtcPort}/healthz`);
await waitFor(`http://127.0.0.1:${basePort}/`, { method: 'POST', body: '{"member":{}}' }).catch(
  () => undefined,
);

const body = (token, userId = '@alice:hs.bench') =>
  JSON.stringify({
    room_id: '!room:hs.bench',
    slot_id: 'm.call#ROOM',
    openid_token: {
      access_token: token,
      token_type: 'Bearer',
      matrix_server_name: 'hs.bench',
      expires_in: 3600,
    },
    member: { id: 'member', claimed_user_id: userId, claimed_device_id: 'DEVICE' },
  });

// The machine is shared: load from elsewhere drifts within seconds. So each side is measured in short
// slices that alternate (who goes first alternates too), and each side's rate is its requests over its
// own time; latency percentiles are the medians of the slices'.
const rounds = Number(args.rounds);
const sliceSeconds = (total) => Math.max(1, Math.round(total / rounds));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const interleaved = async (a, b, seconds) => {
  const runs = { a: [], b: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) {
      runs[side].push(await autocannon({ ...(side === 'a' ? a : b), duration: sliceSeconds(seconds) }));
    }
  }
  const sum = (rs) => ({
    reqPerSec: +(
      rs.reduce((n, x) => n + x.requests.total, 0) / rs.reduce((n, x) => n + x.duration, 0)
    ).toFixed(1),
    p50: median(rs.map((x) => x.latency.p50)),
    p99: median(rs.map((x) => x.latency.p99)),
    non2xx: rs.reduce((n, x) => n + x.non2xx, 0),
  });
  return [sum(runs.a), sum(runs.b)];
};
const post = (port, path) => ({
  url: `http://127.0.0.1:${port}${path}`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: body('warm-token'),
  connections: Number(args.connections),
});

// Warm the cache (and the JIT) before measuring.
await fetch(`http://127.0.0.1:${rtcPort}/get_token`, { method: 'POST', body: body('warm-token') });
await autocannon({ ...post(rtcPort, '/get_token'), connections: 10, duration: 2 });
await autocannon({ ...post(basePort, '/'), connections: 10, duration: 2 });
const [rtc, base] = await interleaved(post(rtcPort, '/get_token'), post(basePort, '/'), Number(args.seconds));
// The framework's own ceiling, for reading the ratio: an empty answer through Nest + Fastify (/healthz)
// against an empty answer from node:http (the baseline's unknown-path reply), same settings.
const empty = (url) => ({ url, connections: Number(args.connections) });
const [emptyRtc, emptyBase] = await interleaved(
  empty(`http://127.0.0.1:${rtcPort}/healthz`),
  empty(`http://127.0.0.1:${basePort}/empty`),
  Math.max(rounds, Number(args.seconds) / 2),
);
if (rtc.non2xx > 0 || base.non2xx > 0)
  throw new Error(`non-2xx answers: rtc ${rtc.non2xx}, baseline ${base.non2xx}`);

// Cold path: every request is a new user with a new token, so every one costs a userinfo round trip and
// an is_joined round trip; the baseline is those two round trips, one after the other.
const timeOne = async (url, init) => {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t0;
};
const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const cold = [];
const roundTrip = [];
const isJoined = (mxid) =>
  `${hsUrl}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent('!room:hs.bench')}/is_joined?mxid=${encodeURIComponent(mxid)}`;
for (let i = 0; i < Number(args['cold-requests']); i++) {
  const t0 = performance.now();
  await (await fetch(`${hsUrl}/_matrix/federation/v1/openid/userinfo?access_token=t${i}`)).text();
  await (await fetch(isJoined(`@t${i}:hs.bench`))).text();
  roundTrip.push(performance.now() - t0);
  const token = `cold-${i}-${Math.random().toString(36).slice(2)}`;
  cold.push(
    await timeOne(`http://127.0.0.1:${rtcPort}/get_token`, {
      method: 'POST',
      body: body(token, `@${token}:hs.bench`),
    }),
  );
}

const result = {
  date: new Date().toISOString(),
  settings: {
    seconds: Number(args.seconds),
    rounds,
    connections: Number(args.connections),
    hsDelayMs: hsDelay,
  },
  warm: {
    rtc: { reqPerSec: rtc.reqPerSec, p50: rtc.p50, p99: rtc.p99 },
    baseline: { reqPerSec: base.reqPerSec, p50: base.p50, p99: base.p99 },
    throughputRatio: +(rtc.reqPerSec / base.reqPerSec).toFixed(3),
  },
  frameworkCeiling: {
    nestFastifyEmptyReqPerSec: emptyRtc.reqPerSec,
    nodeHttpEmptyReqPerSec: emptyBase.reqPerSec,
    ratio: +(emptyRtc.reqPerSec / emptyBase.reqPerSec).toFixed(3),
  },
  cold: {
    getTokenP50Ms: +p(cold, 0.5).toFixed(2),
    getTokenP99Ms: +p(cold, 0.99).toFixed(2),
    userinfoPlusIsJoinedP50Ms: +p(roundTrip, 0.5).toFixed(2),
    latencyRatio: +(p(cold, 0.5) / p(roundTrip, 0.5)).toFixed(3),
  },
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `warm throughput ratio ${result.warm.throughputRatio} (goal >= 0.6; empty-response framework ceiling ${result.frameworkCeiling.ratio}); ` +
    `cold latency ratio ${result.cold.latencyRatio} (goal <= 1.3)`,
);
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/rtc.json'), JSON.stringify(result, null, 2));
for (const c of children) c.kill('SIGTERM');
hs.close();
