// bench/rtc: POST /get_token throughput and latency, rtc-jwt-service against a bare baseline in the same
// run, plus the cold path (a new OpenID token each time) against one userinfo round trip.
// Usage: npm run bench:rtc [-- --seconds 10 --connections 50 --hs-delay-ms 20]
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
  },
});
const root = resolve(import.meta.dirname, '../..');
const KEY = 'benchkey';
const SECRET = 'bench-secret-bench-secret-bench-secret';
const LIVEKIT_URL = 'wss://sfu.bench.invalid';
const hsDelay = Number(args['hs-delay-ms']);

// A homeserver whose userinfo answers after a fixed delay, standing in for one network round trip.
const hs = createServer((req, res) => {
  setTimeout(
    () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"sub":"@alice:hs.bench"}'),
    hsDelay,
  );
});
await new Promise((r) => hs.listen(0, '127.0.0.1', r));
const hsUrl = `http://127.0.0.1:${hs.address().port}`;

const children = [];
const start = (file, argv, env = {}) => {
  const child = spawn(process.execPath, [file, ...argv], {
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
start(resolve(root, 'dist/apps/rtc-jwt-service/main.js'), [], {
  LIVEKIT_JWT_BIND: `127.0.0.1:${rtcPort}`,
  LIVEKIT_URL,
  LIVEKIT_KEY: KEY,
  LIVEKIT_SECRET: SECRET,
  // Not a full-access server: no CreateRoom round trip, so both sides do the same work.
  LIVEKIT_FULL_ACCESS_HOMESERVERS: 'elsewhere.bench',
  LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.bench=${hsUrl}`,
  LIVEKIT_LOG_LEVEL: 'error',
  RTC_RATE_LIMIT_PER_IP: '0',
  RTC_RATE_LIMIT_PER_USER: '0',
});
start(resolve(root, 'bench/rtc/baseline.mjs'), [String(basePort), KEY, SECRET, LIVEKIT_URL]);
await waitFor(`http://127.0.0.1:${rtcPort}/healthz`);
await waitFor(`http://127.0.0.1:${basePort}/`, { method: 'POST', body: '{"member":{}}' }).catch(
  () => undefined,
);

const body = (token) =>
  JSON.stringify({
    room_id: '!room:hs.bench',
    slot_id: 'm.call#ROOM',
    openid_token: {
      access_token: token,
      token_type: 'Bearer',
      matrix_server_name: 'hs.bench',
      expires_in: 3600,
    },
    member: { id: 'member', claimed_user_id: '@alice:hs.bench', claimed_device_id: 'DEVICE' },
  });

const load = (port) =>
  autocannon({
    url: `http://127.0.0.1:${port}/get_token`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body('warm-token'),
    connections: Number(args.connections),
    duration: Number(args.seconds),
  });

// Warm the cache (and the JIT) before measuring.
await fetch(`http://127.0.0.1:${rtcPort}/get_token`, { method: 'POST', body: body('warm-token') });
await autocannon({
  url: `http://127.0.0.1:${rtcPort}/get_token`,
  method: 'POST',
  body: body('warm-token'),
  connections: 10,
  duration: 2,
});
await autocannon({
  url: `http://127.0.0.1:${basePort}/`,
  method: 'POST',
  body: body('warm-token'),
  connections: 10,
  duration: 2,
});
const base = await load(basePort);
const rtc = await load(rtcPort);
// The framework's own ceiling, for reading the ratio: an empty answer through Nest + Fastify (/healthz)
// against an empty answer from node:http (the baseline's unknown-path reply), same settings.
const emptyLoad = (url) =>
  autocannon({ url, connections: Number(args.connections), duration: Math.max(3, Number(args.seconds) / 2) });
const emptyRtc = await emptyLoad(`http://127.0.0.1:${rtcPort}/healthz`);
const emptyBase = await emptyLoad(`http://127.0.0.1:${basePort}/empty`);
if (rtc.non2xx > 0 || base.non2xx > 0)
  throw new Error(`non-2xx answers: rtc ${rtc.non2xx}, baseline ${base.non2xx}`);

// Cold path: every request carries a new token, so every one costs a userinfo round trip.
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
for (let i = 0; i < Number(args['cold-requests']); i++) {
  roundTrip.push(await timeOne(`${hsUrl}/_matrix/federation/v1/openid/userinfo?access_token=t${i}`));
  cold.push(
    await timeOne(`http://127.0.0.1:${rtcPort}/get_token`, {
      method: 'POST',
      body: body(`cold-${i}-${Math.random()}`),
    }),
  );
}

const result = {
  date: new Date().toISOString(),
  settings: { seconds: Number(args.seconds), connections: Number(args.connections), hsDelayMs: hsDelay },
  warm: {
    rtc: { reqPerSec: rtc.requests.average, p50: rtc.latency.p50, p99: rtc.latency.p99 },
    baseline: { reqPerSec: base.requests.average, p50: base.latency.p50, p99: base.latency.p99 },
    throughputRatio: +(rtc.requests.average / base.requests.average).toFixed(3),
  },
  frameworkCeiling: {
    nestFastifyEmptyReqPerSec: emptyRtc.requests.average,
    nodeHttpEmptyReqPerSec: emptyBase.requests.average,
    ratio: +(emptyRtc.requests.average / emptyBase.requests.average).toFixed(3),
  },
  cold: {
    getTokenP50Ms: +p(cold, 0.5).toFixed(2),
    getTokenP99Ms: +p(cold, 0.99).toFixed(2),
    userinfoRoundTripP50Ms: +p(roundTrip, 0.5).toFixed(2),
    latencyRatio: +(p(cold, 0.5) / p(roundTrip, 0.5)).toFixed(3),
  },
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `warm throughput ratio ${result.warm.throughputRatio} (goal >= 0.6; empty-response framework ceiling ${result.frameworkCeiling.ratio}); ` +
    `cold latency ratio ${result.cold.latencyRatio} (goal <= 1.2)`,
);
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/rtc.json'), JSON.stringify(result, null, 2));
for (const c of children) c.kill('SIGTERM');
hs.close();
