/**
 * bench/auth: `npm run bench:auth`.
 *  1. POST /oauth2/introspect (Synapse's call) throughput and p99, against bench/auth/baseline.mjs
 *     answering the same lookup from the same Postgres rows, in the same run (goal: ratio >= 0.6).
 *  2. Synapse `whoami` latency with a delegated (introspected) token against a Synapse with its own
 *     tokens, in the same run (goal: p50 ratio <= 1.1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verify as argon2Verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import pg from 'pg';
import { createTestDatabase, createTestRedis, freePort, startSynapse } from '@gateway/testing';
import { approve } from '../../apps/auth-service/test/support/sign-in';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    requests: { type: 'string', default: '300' },
    logins: { type: 'string', default: '30' },
  },
});
const root = resolve(__dirname, '../..');
const SECRET = randomBytes(16).toString('hex');
const children: ChildProcess[] = [];
const p = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

async function main(): Promise<void> {
  const db = await createTestDatabase('gw_bench');
  const redis = await createTestRedis();
  const authPort = await freePort();
  const issuer = `http://127.0.0.1:${authPort}/`;
  const delegated = await startSynapse({
    mode: 'delegated',
    authService: { endpoint: issuer, secret: SECRET },
  });
  const plain = await startSynapse({ mode: 'plain' });
  const env = {
    AUTH_BIND: `127.0.0.1:${authPort}`,
    AUTH_ISSUER: issuer,
    AUTH_DATABASE_URL: db.url,
    AUTH_REDIS_URL: redis.url,
    AUTH_HOMESERVER: 'localhost',
    AUTH_SYNAPSE_URL: delegated.baseUrl,
    AUTH_SYNAPSE_SECRET: SECRET,
    AUTH_SIGNING_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'bench-keys-')), 'keys.json'),
    AUTH_LOG_LEVEL: 'error',
  };
  const run = (file: string, argv: string[], extra: Record<string, string> = {}): void => {
    const profile =
      process.env['BENCH_PROFILE'] === '1' && file.endsWith('main.js')
        ? ['--cpu-prof', '--cpu-prof-dir=/tmp/aprof']
        : [];
    children.push(
      spawn(process.execPath, [...profile, file, ...argv], {
        cwd: root,
        env: { ...process.env, ...extra },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  };
  try {
    run(resolve(root, 'dist/apps/auth-service/main.js'), [], env);
    await waitFor(`${issuer}health`);
    for (let i = 0; i < 50 && (await fetch(`${issuer}ready`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
    const cli = spawn(
      process.execPath,
      [
        resolve(root, 'dist/apps/auth-service/cli.js'),
        'user',
        'add',
        'bench',
        '--password',
        'correct horse battery staple',
      ],
      { env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    await new Promise((r) => cli.on('exit', r));

    // A token the real way: registration, sign-in form, code + PKCE.
    const redirect = 'https://bench.example.org/cb';
    const reg = await fetch(`${issuer}oauth2/registration`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'bench',
        client_uri: 'https://bench.example.org/',
        redirect_uris: [redirect],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    });
    const { client_id: clientId } = (await reg.json()) as { client_id: string };
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'urn:matrix:client:api:* urn:matrix:client:device:BENCHDEVICE1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })) {
      url.searchParams.set(k, v);
    }
    const back = await approve(url.toString(), issuer, {
      username: 'bench',
      password: 'correct horse battery staple',
    });
    const tokenRes = await fetch(`${issuer}oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: redirect,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const { access_token: accessToken } = (await tokenRes.json()) as { access_token: string };

    // 1. Introspection throughput.
    const basePort = await freePort();
    run(resolve(root, 'bench/auth/baseline.mjs'), [String(basePort), db.url, SECRET]);
    await waitFor(`http://127.0.0.1:${basePort}/`);
    const load = (target: string) =>
      autocannon({
        url: target,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${SECRET}` },
        body: `token=${accessToken}&token_type_hint=access_token`,
        connections: Number(args.connections),
        duration: Number(args.seconds),
      });
    await autocannon({
      url: `${issuer}oauth2/introspect`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${SECRET}` },
      body: `token=${accessToken}`,
      connections: 10,
      duration: 2,
    });
    // Three runs, each measuring the baseline and then the service; the median run's ratio is reported.
    const runs: { auth: autocannon.Result; base: autocannon.Result; ratio: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const base = await load(`http://127.0.0.1:${basePort}/`);
      const auth = await load(`${issuer}oauth2/introspect`);
      if (auth.non2xx > 0 || base.non2xx > 0)
        throw new Error(`non-2xx answers: auth ${auth.non2xx}, baseline ${base.non2xx}`);
      runs.push({ auth, base, ratio: auth.requests.average / base.requests.average });
      log(`introspection run ${i + 1}: ${auth.requests.average} / ${base.requests.average} req/s`);
    }
    const median = [...runs].sort((a, b) => a.ratio - b.ratio)[1];
    if (median === undefined) throw new Error('no introspection runs');
    const { auth, base } = median;

    // Compat /login p50 beside one bare argon2id verify of the same stored hash, same run.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE localpart = 'bench'",
    );
    await client.end();
    const storedHash = rows[0]?.password_hash ?? '';
    const loginTimes: number[] = [];
    const verifyTimes: number[] = [];
    for (let i = 0; i < Number(args.logins); i++) {
      let t0 = performance.now();
      const res = await fetch(`${issuer}_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'bench' },
          password: 'correct horse battery staple',
        }),
      });
      await res.text();
      if (!res.ok) throw new Error(`compat login answered ${res.status}`);
      loginTimes.push(performance.now() - t0);
      t0 = performance.now();
      if (!(await argon2Verify(storedHash, 'correct horse battery staple')))
        throw new Error('bare verify failed');
      verifyTimes.push(performance.now() - t0);
    }

    // 2. whoami through delegated auth against Synapse's own tokens.
    const own = await plain.registerUser('benchplain');
    const timeWhoami = async (baseUrl: string, token: string): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < Number(args.requests); i++) {
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/_matrix/client/v3/account/whoami`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        await res.text();
        if (!res.ok) throw new Error(`whoami answered ${res.status}`);
        times.push(performance.now() - t0);
      }
      return times;
    };
    const delegatedTimes = await timeWhoami(delegated.baseUrl, accessToken);
    const plainTimes = await timeWhoami(plain.baseUrl, own.accessToken);

    const result = {
      date: new Date().toISOString(),
      settings: {
        seconds: Number(args.seconds),
        connections: Number(args.connections),
        whoamiRequests: Number(args.requests),
      },
      introspection: {
        auth: { reqPerSec: auth.requests.average, p50: auth.latency.p50, p99: auth.latency.p99 },
        baseline: { reqPerSec: base.requests.average, p50: base.latency.p50, p99: base.latency.p99 },
        throughputRatio: +(auth.requests.average / base.requests.average).toFixed(3),
        runs: runs.map((r) => ({
          auth: r.auth.requests.average,
          baseline: r.base.requests.average,
          ratio: +r.ratio.toFixed(3),
        })),
      },
      compatLogin: {
        logins: Number(args.logins),
        loginP50Ms: +p(loginTimes, 0.5).toFixed(2),
        argon2idVerifyP50Ms: +p(verifyTimes, 0.5).toFixed(2),
      },
      whoami: {
        delegatedP50Ms: +p(delegatedTimes, 0.5).toFixed(2),
        delegatedP99Ms: +p(delegatedTimes, 0.99).toFixed(2),
        ownTokensP50Ms: +p(plainTimes, 0.5).toFixed(2),
        ownTokensP99Ms: +p(plainTimes, 0.99).toFixed(2),
        p50Ratio: +(p(delegatedTimes, 0.5) / p(plainTimes, 0.5)).toFixed(3),
      },
    };
    log(JSON.stringify(result, null, 2));
    log(
      `introspection throughput ratio ${result.introspection.throughputRatio} (goal >= 0.6); whoami p50 ratio ${result.whoami.p50Ratio} (goal <= 1.1)`,
    );
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/auth.json'), JSON.stringify(result, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await delegated.stop();
    await plain.stop();
    await redis.cleanup();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench/auth failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
