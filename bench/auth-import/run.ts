/**
 * bench/auth-import: `npm run bench:auth-import`.
 * Generates a Synapse database on PostgreSQL (Synapse's own tables and columns, filled with
 * generate_series: 100,000 users with display names, 200,000 devices, 200,000 access tokens), then runs
 * `cli.js import-synapse` into a fresh auth database, three times. Reports the median wall time, rows
 * per second and the importer's peak RSS (VmHWM). Goal: <= 60 s and <= 300 MB on the 2-core machine.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, SYNAPSE_AUTH_SCHEMA, type TestDatabase } from '@gateway/testing';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    verbose: { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
const RUNS = Number(args.runs);
const HS = 'bench.test';
const root = resolve(__dirname, '../../..');
const CLI = resolve(root, 'dist/apps/auth-service/cli.js');
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
// One bcrypt hash for everyone: generating 100,000 real ones would take longer than the import.
const BCRYPT = '$2b$12$9vO6oU5Sg2m1Gx0mJ1e4QOf6v3Vq0Qk1t9mC3aWl2r1kq7m7hXl2e';

async function generateSynapse(db: TestDatabase): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    for (const statement of SYNAPSE_AUTH_SCHEMA) await client.query(statement);
    await client.query(
      `INSERT INTO users (name, password_hash, creation_ts, admin)
       SELECT '@user' || i || ':${HS}', $1, 1700000000 + i, (i % 1000 = 0)::int
       FROM generate_series(1, $2::int) i`,
      [BCRYPT, USERS],
    );
    await client.query(
      `INSERT INTO profiles (user_id, displayname, full_user_id)
       SELECT 'user' || i, 'User ' || i, '@user' || i || ':${HS}' FROM generate_series(1, $1::int) i`,
      [USERS],
    );
    await client.query(
      `INSERT INTO devices (user_id, device_id, display_name, last_seen)
       SELECT '@user' || i || ':${HS}', 'DEV' || i || '_' || d, 'Device ' || d, 1760000000000
       FROM generate_series(1, $1::int) i, generate_series(1, 2) d`,
      [USERS],
    );
    await client.query(
      `INSERT INTO access_tokens (id, user_id, device_id, token)
       SELECT i * 2 + d, '@user' || i || ':${HS}', 'DEV' || i || '_' || d,
              'syt_' || encode(convert_to('user' || i, 'UTF8'), 'base64') || '_' || md5(i || ':' || d)
       FROM generate_series(1, $1::int) i, generate_series(1, 2) d`,
      [USERS],
    );
    await client.query('ANALYZE');
    const counts = await client.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM devices)
              + (SELECT count(*) FROM access_tokens) AS n`,
    );
    return Number(counts.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

interface RunResult {
  seconds: number;
  peakRssMb: number;
  code: number | null;
  out: string;
}

/** Runs the CLI, sampling its peak RSS (VmHWM, the kernel's high-water mark) until it exits. */
function runCli(env: NodeJS.ProcessEnv, cliArgs: string[]): Promise<RunResult> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...cliArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let peakKb = 0;
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const sample = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(child.pid)}/status`, 'utf8'));
        if (hwm?.[1] !== undefined) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // exited between samples
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(sample);
      done({ seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024, code, out });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const synapse = await createTestDatabase('gw_bench_synapse', { collation: 'C' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-auth-import-'));
  const config = join(dir, 'homeserver.yaml');
  writeFileSync(config, `server_name: ${HS}\nmatrix_authentication_service:\n  enabled: true\n`);
  try {
    const t0 = performance.now();
    const rows = await generateSynapse(synapse);
    log(`generated ${String(rows)} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const results: RunResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const target = await createTestDatabase('gw_bench_auth');
      try {
        const env = {
          ...process.env,
          AUTH_ISSUER: 'http://127.0.0.1:9/',
          AUTH_DATABASE_URL: target.url,
          AUTH_REDIS_URL: 'redis://127.0.0.1:6379',
          AUTH_HOMESERVER: HS,
          AUTH_SYNAPSE_URL: 'http://127.0.0.1:9',
          AUTH_SYNAPSE_SECRET: 'bench-auth-import-secret-0123',
          AUTH_SIGNING_KEY_FILE: join(dir, 'keys.json'),
        };
        const migrated = await runCli(env, ['migrate']);
        if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrated.out}`);
        const result = await runCli(env, [
          'import-synapse',
          '--synapse-config',
          config,
          '--synapse-database-url',
          synapse.url,
        ]);
        if (result.code !== 0) throw new Error(`import failed:\n${result.out}`);
        log(
          `run ${String(i + 1)}: ${result.seconds.toFixed(1)} s, ${Math.round(rows / result.seconds)} rows/s, ` +
            `peak RSS ${result.peakRssMb.toFixed(0)} MB`,
        );
        // The importer's JSON step lines say where the time went (readMs, writeMs).
        if (args.verbose) log(result.out);
        results.push(result);
      } finally {
        await target.drop();
      }
    }
    const seconds = median(results.map((r) => r.seconds));
    const peakRssMb = median(results.map((r) => r.peakRssMb));
    const summary = {
      users: USERS,
      rows,
      runs: results.map((r) => ({ seconds: r.seconds, peakRssMb: r.peakRssMb })),
      medianSeconds: seconds,
      rowsPerSecond: Math.round(rows / seconds),
      medianPeakRssMb: peakRssMb,
      goal: { seconds: 60, peakRssMb: 300 },
      met: seconds <= 60 && peakRssMb <= 300,
    };
    log(
      `median of ${String(RUNS)}: ${seconds.toFixed(1)} s, ${String(summary.rowsPerSecond)} rows/s, ` +
        `peak RSS ${peakRssMb.toFixed(0)} MB — goal <= 60 s and <= 300 MB: ${summary.met ? 'met' : 'NOT met'}`,
    );
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/auth-import.json'), JSON.stringify(summary, null, 2));
  } finally {
    await synapse.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
