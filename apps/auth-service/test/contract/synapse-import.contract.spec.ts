import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminDatabaseUrl,
  createTestDatabase,
  freePort,
  queryRows,
  startSynapse,
  type RegisteredUser,
  type Synapse,
  type SynapseOptions,
  type TestDatabase,
} from '@gateway/testing';
import { startAuth, SYNAPSE_SECRET, type AuthUnderTest } from '../support/start-auth';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');

interface CliResult {
  code: number | null;
  signal: string | null;
  out: string;
  stdout: string;
}

/**
 * The migration an operator makes (the auth README's runbook): a Synapse in plain mode on PostgreSQL with
 * users, devices and live tokens; a dry run; the switch to delegated mode with the import run while
 * Synapse is stopped; then the same tokens, devices and passwords keep working through the auth service.
 */
describe('import-synapse: a plain Synapse migrates to the auth service without logging anyone out', () => {
  let synapseDb: TestDatabase;
  let synapse: Synapse;
  let auth: AuthUnderTest;
  let authPort: number;
  const users: Record<string, RegisteredUser> = {};
  const extraDevices: { user: string; deviceId: string; token: string }[] = [];
  let delegated: SynapseOptions;
  let dryRun: CliResult;
  let refusedPlain: CliResult;
  let firstImport: CliResult;
  let daveRefresh: { access_token: string; refresh_token: string };

  const cli = async (databaseUrl: string, ...args: string[]): Promise<CliResult> => {
    const env = {
      ...process.env,
      AUTH_ISSUER: auth.issuer,
      AUTH_DATABASE_URL: databaseUrl,
      AUTH_REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_HOMESERVER: 'localhost',
      AUTH_SYNAPSE_URL: synapse.baseUrl,
      AUTH_SYNAPSE_SECRET: SYNAPSE_SECRET,
      AUTH_SIGNING_KEY_FILE: auth.keyFile,
    };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, signal: null, out: stdout + stderr, stdout };
    } catch (err) {
      const e = err as { code: number | null; signal: string | null; stdout: string; stderr: string };
      return { code: e.code, signal: e.signal, out: e.stdout + e.stderr, stdout: e.stdout };
    }
  };
  const importArgs = () => [
    'import-synapse',
    '--synapse-config',
    synapse.configPath,
    '--synapse-database-url',
    synapseDb.url,
  ];
  const synapseCall = async (path: string, token: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${synapse.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const whoami = (token: string) => synapseCall('/_matrix/client/v3/account/whoami', token);
  const query = <T>(url: string, sql: string): Promise<T[]> => queryRows<T>(url, sql);
  // What an import wrote, comparable across databases (ids differ, contents must not).
  const snapshot = async (url: string) => ({
    users: await query(
      url,
      `SELECT localpart, password_hash, admin, display_name, deactivated_at IS NOT NULL AS deactivated,
              locked_at IS NOT NULL AS locked FROM users ORDER BY localpart`,
    ),
    sessions: await query(
      url,
      `SELECT u.localpart, s.device_id, s.finished_at FROM compat_sessions s JOIN users u ON u.id = s.user_id
       ORDER BY 1, 2`,
    ),
    tokens: await query(url, 'SELECT token_hash, expires_at FROM compat_access_tokens ORDER BY 1'),
    emails: await query(
      url,
      'SELECT u.localpart, e.email FROM user_emails e JOIN users u ON u.id = e.user_id ORDER BY 1, 2',
    ),
  });

  beforeAll(async () => {
    synapseDb = await createTestDatabase('gw_synapse', { collation: 'C' });
    const admin = new URL(adminDatabaseUrl());
    const database = {
      name: 'psycopg2',
      args: {
        host: admin.hostname,
        port: Number(admin.port || 5432),
        user: decodeURIComponent(admin.username),
        dbname: synapseDb.name,
        cp_min: 1,
        cp_max: 3,
      },
    };
    authPort = await freePort();
    delegated = {
      mode: 'delegated',
      authService: { endpoint: `http://127.0.0.1:${String(authPort)}/`, secret: SYNAPSE_SECRET },
      extra: { database },
    };
    synapse = await startSynapse({ mode: 'plain', extra: { database } });
    auth = await startAuth(authPort, synapse.baseUrl);

    users['alice'] = await synapse.registerUser('alice', { admin: true, password: 'alice password 1' });
    for (const name of ['bob', 'carol', 'dave', 'erin'])
      users[name] = await synapse.registerUser(name, { password: `${name} password 1` });
    const adminToken = users['alice'].accessToken;
    // bob has three devices: the registration's and two password logins.
    for (const deviceId of ['BOBPHONE', 'BOBLAPTOP']) {
      const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'bob' },
          password: 'bob password 1',
          device_id: deviceId,
        }),
      });
      const body = (await res.json()) as { access_token: string };
      extraDevices.push({ user: 'bob', deviceId, token: body.access_token });
    }
    // dave also has a refreshable session (MSC2918), whose syr_ token must rotate after the import.
    const refreshable = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'dave' },
        password: 'dave password 1',
        device_id: 'DAVEREFRESH',
        refresh_token: true,
      }),
    });
    daveRefresh = (await refreshable.json()) as typeof daveRefresh;
    expect(daveRefresh.refresh_token).toMatch(/^syr_/);
    const dave = users['dave'];
    expect(
      await synapseCall('/_synapse/admin/v2/users/@dave:localhost', adminToken, {
        method: 'PUT',
        body: { displayname: 'Dave Dee', threepids: [{ medium: 'email', address: 'dave@example.org' }] },
      }),
    ).toMatchObject({ status: 200 });
    expect(dave).toBeDefined();
    expect(
      await synapseCall('/_synapse/admin/v1/deactivate/@carol:localhost', adminToken, {
        method: 'POST',
        body: { erase: false },
      }),
    ).toMatchObject({ status: 200 });
    expect(
      await synapseCall('/_synapse/admin/v2/users/@erin:localhost', adminToken, {
        method: 'PUT',
        body: { locked: true },
      }),
    ).toMatchObject({ status: 200 });
    // An admin's puppeting token: not a session of bob's, so the import leaves it out.
    expect(
      await synapseCall('/_synapse/admin/v1/users/@bob:localhost/login', adminToken, {
        method: 'POST',
        body: {},
      }),
    ).toMatchObject({ status: 200 });

    // Before the cut-over: the dry run, and the refusal to import from a Synapse still issuing tokens.
    dryRun = await cli(auth.db.url, ...importArgs(), '--dry-run');
    refusedPlain = await cli(auth.db.url, ...importArgs());
    // The cut-over: delegated configuration, the import while Synapse is down, then the start.
    await synapse.restart(delegated, async () => {
      firstImport = await cli(auth.db.url, ...importArgs());
    });
  }, 240_000);

  afterAll(async () => {
    await auth.stop();
    await synapse.stop();
    await synapseDb.drop();
  });

  it('dry run: counts per kind and every skipped row with its reason, nothing written', () => {
    expect(dryRun.code, dryRun.out).toBe(0);
    const lines = dryRun.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^skip access_tokens: access token #\d+ of @alice:localhost \(device none\): admin token puppeting @bob:localhost$/,
      ),
      'users: 5 read, 5 to import, 0 skipped',
      'emails: 1 read, 1 to import, 0 skipped',
      'upstream_links: 0 read, 0 to import, 0 skipped',
      // carol's device went with her deactivation.
      'devices: 7 read, 7 to import, 0 skipped',
      'access_tokens: 8 read, 7 to import, 1 skipped',
      'refresh_tokens: 1 read, 1 to import, 0 skipped',
      'dry run: nothing was written',
    ]);
    expect(refusedPlain.code, refusedPlain.out).toBe(1);
    expect(refusedPlain.out).toContain('does not delegate auth');
  });

  it('imports users with their admin flag, deactivation, lock, display name and email', async () => {
    expect(firstImport.code, firstImport.out).toBe(0);
    expect(firstImport.stdout).toContain('users: 5 read, 5 imported, 0 already present, 0 skipped');
    expect(firstImport.stdout).toContain('access_tokens: 8 read, 7 imported, 0 already present, 1 skipped');
    const { users: rows, emails } = await snapshot(auth.db.url);
    expect(rows.map((u) => ({ ...(u as object), password_hash: undefined }))).toEqual([
      {
        localpart: 'alice',
        admin: true,
        display_name: 'alice',
        deactivated: false,
        locked: false,
        password_hash: undefined,
      },
      {
        localpart: 'bob',
        admin: false,
        display_name: 'bob',
        deactivated: false,
        locked: false,
        password_hash: undefined,
      },
      // Deactivated without erasure: Synapse keeps the display name (the password it drops).
      {
        localpart: 'carol',
        admin: false,
        display_name: 'carol',
        deactivated: true,
        locked: false,
        password_hash: undefined,
      },
      {
        localpart: 'dave',
        admin: false,
        display_name: 'Dave Dee',
        deactivated: false,
        locked: false,
        password_hash: undefined,
      },
      {
        localpart: 'erin',
        admin: false,
        display_name: 'erin',
        deactivated: false,
        locked: true,
        password_hash: undefined,
      },
    ]);
    expect(emails).toEqual([{ localpart: 'dave', email: 'dave@example.org' }]);
  });

  it('the old tokens pass whoami on delegated Synapse with the same devices', async () => {
    for (const name of ['alice', 'bob', 'dave']) {
      const user = users[name]!;
      expect(await whoami(user.accessToken)).toEqual({
        status: 200,
        body: { user_id: user.userId, device_id: user.deviceId, is_guest: false },
      });
    }
    for (const device of extraDevices) {
      expect((await whoami(device.token)).body).toMatchObject({
        user_id: '@bob:localhost',
        device_id: device.deviceId,
      });
    }
    // The imported syr_ token rotates into a compat pair on the same device, once.
    expect((await whoami(daveRefresh.access_token)).body).toMatchObject({ device_id: 'DAVEREFRESH' });
    const refresh = () =>
      fetch(`${auth.issuer}_matrix/client/v3/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: daveRefresh.refresh_token }),
      });
    const rotated = await refresh();
    expect(rotated.status).toBe(200);
    const pair = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect(pair.refresh_token).toMatch(/^mcr_/);
    expect((await whoami(pair.access_token)).body).toMatchObject({
      user_id: '@dave:localhost',
      device_id: 'DAVEREFRESH',
    });
    expect((await refresh()).status).toBe(401);
    // erin is locked: her token is refused, as Synapse refused it before.
    expect((await whoami(users['erin']!.accessToken)).status).toBe(401);
    // No usable token value is stored: only hashes (the same pg_dump scan as the secrets-at-rest test).
    const dump = execFileSync('pg_dump', ['--no-owner', auth.db.url], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    expect(dump).toContain('compat_access_tokens');
    const values = [
      ...Object.values(users).map((u) => u.accessToken),
      ...extraDevices.map((d) => d.token),
      daveRefresh.access_token,
      daveRefresh.refresh_token,
    ];
    expect(values.filter((v) => dump.includes(v))).toEqual([]);
    const stored = await query<{ token_hash: string }>(
      auth.db.url,
      'SELECT token_hash FROM compat_access_tokens',
    );
    expect(stored.map((r) => r.token_hash)).not.toContain(users['alice']!.accessToken);
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('the old password logs in through the compat layer and its hash becomes argon2id', async () => {
    const before = await query<{ password_hash: string }>(
      auth.db.url,
      "SELECT password_hash FROM users WHERE localpart = 'bob'",
    );
    expect(before[0]?.password_hash).toMatch(/^\$2b\$/);
    const wrong = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', user: 'bob', password: 'not bob password' }),
    });
    expect(wrong.status).toBe(403);
    const res = await fetch(`${auth.issuer}_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', user: 'bob', password: 'bob password 1' }),
    });
    expect(res.status).toBe(200);
    const login = (await res.json()) as { access_token: string; device_id: string; user_id: string };
    expect(login.user_id).toBe('@bob:localhost');
    expect((await whoami(login.access_token)).body).toMatchObject({ device_id: login.device_id });
    const after = await query<{ password_hash: string }>(
      auth.db.url,
      "SELECT password_hash FROM users WHERE localpart = 'bob'",
    );
    expect(after[0]?.password_hash).toMatch(/^\$argon2id\$/);
    // The old devices' tokens still work beside the new login.
    expect((await whoami(users['bob']!.accessToken)).status).toBe(200);
  });

  it('a second import changes nothing and says so', async () => {
    const before = await snapshot(auth.db.url);
    const second = await cli(auth.db.url, ...importArgs());
    expect(second.code, second.out).toBe(0);
    expect(second.stdout).toContain('a previous import finished');
    // bob's compat login added a device to Synapse; its session is the login's, not a second one.
    expect(second.stdout).toContain('devices: 8 read, 0 imported, 8 already present, 0 skipped');
    expect(second.stdout).toContain('nothing changed: everything was already imported');
    expect(await snapshot(auth.db.url)).toEqual(before);
  });

  // Three CLI runs, one of them two rows a batch: slow on a busy machine.
  it(
    'a killed import resumes from its checkpoints and ends with the same result',
    { timeout: 150_000 },
    async () => {
      const fresh = await createTestDatabase();
      try {
        expect((await cli(fresh.url, 'migrate')).code).toBe(0);
        const killed = await cli(
          fresh.url,
          ...importArgs(),
          '--batch-size',
          '2',
          '--crash-after-batches',
          '4',
        );
        expect(killed.signal).toBe('SIGKILL');
        const partial = await query<{ kind: string }>(
          fresh.url,
          'SELECT kind FROM synapse_import_checkpoints ORDER BY kind',
        );
        expect(partial.length).toBeGreaterThan(0);
        const resumed = await cli(fresh.url, ...importArgs(), '--batch-size', '2');
        expect(resumed.code, resumed.out).toBe(0);
        expect(resumed.stdout).toContain('resuming an interrupted import from its checkpoints');
        const reference = await snapshot(auth.db.url);
        const result = await snapshot(fresh.url);
        // Same devices (bob's compat login is a Synapse device now, so both imports see it).
        expect(result.sessions).toEqual(reference.sessions);
        expect(result.users.map((u) => (u as { localpart: string }).localpart)).toEqual([
          'alice',
          'bob',
          'carol',
          'dave',
          'erin',
        ]);
        expect(result.emails).toEqual(reference.emails);
        // Same tokens, except the one bob's compat login added to the first database.
        // 7 imported; in the first database dave's refreshed pair replaced one and bob's login added one.
        expect(result.tokens.length).toBe(7);
        const rotatedAway = createHash('sha256').update(daveRefresh.access_token).digest('hex');
        expect(reference.tokens).toEqual(
          expect.arrayContaining(
            result.tokens.filter((t) => (t as { token_hash: string }).token_hash !== rotatedAway),
          ),
        );
      } finally {
        await fresh.drop();
      }
    },
  );
});
