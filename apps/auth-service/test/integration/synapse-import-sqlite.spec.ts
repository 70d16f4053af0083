import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hashSync } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, queryRows, SYNAPSE_AUTH_SCHEMA, type TestDatabase } from '@gateway/testing';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');
const HS = 'example.test';
const NOW = Date.now();
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
// A macaroon as Synapse minted them before `syt_` tokens: `location <server>` first.
const MACAROON = Buffer.from(`0019location ${HS}\n0013identifier key\n`).toString('base64url') + '==';

/** A small Synapse database on SQLite, in Synapse's own schema, with one row for each rule. */
function synapseSqlite(path: string): void {
  const db = new Database(path);
  for (const statement of SYNAPSE_AUTH_SCHEMA) db.exec(statement);
  const user = db.prepare(
    'INSERT INTO users (name, password_hash, creation_ts, admin, is_guest, appservice_id, deactivated, locked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  user.run(`@ann:${HS}`, hashSync('ann password', 4), 1_700_000_000, 1, 0, null, 0, 0);
  user.run(`@ben:${HS}`, hashSync('ben password', 4), 1_700_000_100, 0, 0, null, 0, 1);
  user.run(`@cid:${HS}`, null, 1_700_000_200, 0, 0, null, 1, 0);
  user.run(`@1234:${HS}`, null, 1_700_000_300, 0, 1, null, 0, 0);
  user.run(`@_irc_bot:${HS}`, null, 1_700_000_400, 0, 0, 'irc', 0, 0);
  user.run(`@Old Name:${HS}`, null, 1_700_000_500, 0, 0, null, 0, 0);
  db.prepare('INSERT INTO profiles (user_id, displayname, full_user_id) VALUES (?, ?, ?)').run(
    'ann',
    'Ann Example',
    `@ann:${HS}`,
  );
  const threepid = db.prepare(
    'INSERT INTO user_threepids (user_id, medium, address, validated_at, added_at) VALUES (?, ?, ?, ?, ?)',
  );
  threepid.run(`@ann:${HS}`, 'email', 'ann@example.test', 1_700_000_000_000, 1_700_000_000_000);
  threepid.run(`@ann:${HS}`, 'msisdn', '447700900000', 1_700_000_000_000, 1_700_000_000_000);
  db.prepare('INSERT INTO user_external_ids (auth_provider, external_id, user_id) VALUES (?, ?, ?)').run(
    'oidc-corp',
    'subject-1',
    `@ann:${HS}`,
  );
  const device = db.prepare(
    'INSERT INTO devices (user_id, device_id, hidden, last_seen) VALUES (?, ?, ?, ?)',
  );
  device.run(`@ann:${HS}`, 'ANNPHONE', 0, NOW - 1000);
  device.run(`@ann:${HS}`, 'MASTERKEY', 1, null);
  device.run(`@ben:${HS}`, 'BENLAPTOP', 0, null);
  device.run(`@1234:${HS}`, 'GUESTDEV', 0, null);
  const token = db.prepare(
    'INSERT INTO access_tokens (id, user_id, device_id, token, valid_until_ms, puppets_user_id, refresh_token_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  token.run(1, `@ann:${HS}`, 'ANNPHONE', 'syt_YW5u_annphonetoken_000001', null, null, null);
  token.run(2, `@ann:${HS}`, 'ANNPHONE', MACAROON, null, null, null);
  token.run(3, `@ann:${HS}`, 'ANNPHONE', 'syt_YW5u_refreshable_000003', NOW + 3_600_000, null, 1);
  token.run(4, `@ann:${HS}`, 'ANNPHONE', 'syt_YW5u_expired_000004', NOW - 1000, null, null);
  token.run(5, `@ann:${HS}`, null, 'syt_YW5u_nodevice_000005', null, null, null);
  token.run(6, `@ann:${HS}`, 'DELETED', 'syt_YW5u_deleted_000006', null, null, null);
  token.run(7, `@ben:${HS}`, 'BENLAPTOP', 'syt_YmVu_benlaptop_000007', null, null, null);
  token.run(8, `@1234:${HS}`, 'GUESTDEV', 'syt_guest_000008', null, null, null);
  const refresh = db.prepare(
    'INSERT INTO refresh_tokens (id, user_id, device_id, token, next_token_id) VALUES (?, ?, ?, ?, ?)',
  );
  refresh.run(1, `@ann:${HS}`, 'ANNPHONE', 'syr_YW5u_refresh_000001', null);
  refresh.run(2, `@ann:${HS}`, 'ANNPHONE', 'syr_YW5u_used_000002', 1);
  db.close();
}

describe('import-synapse from SQLite', () => {
  let dir: string;
  let sqlite: string;
  let config: string;
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'synapse-import-'));
    sqlite = join(dir, 'homeserver.db');
    synapseSqlite(sqlite);
    config = join(dir, 'homeserver.yaml');
    writeFileSync(
      config,
      `server_name: ${HS}\nmatrix_authentication_service:\n  enabled: true\n  endpoint: http://127.0.0.1:9/\n  secret: x\n`,
    );
    db = await createTestDatabase();
    env = {
      ...process.env,
      AUTH_ISSUER: 'http://127.0.0.1:9/',
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_HOMESERVER: HS,
      AUTH_SYNAPSE_URL: 'http://127.0.0.1:9',
      AUTH_SYNAPSE_SECRET: 'import-test-secret-0123456789',
      AUTH_SIGNING_KEY_FILE: join(dir, 'keys.json'),
    };
    expect((await cli('migrate')).code).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function cli(...args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  const importArgs = (...more: string[]) => [
    'import-synapse',
    '--synapse-config',
    config,
    '--synapse-database-url',
    sqlite,
    ...more,
  ];

  it("refuses another server's homeserver.yaml with exit 1, writing nothing", async () => {
    const other = join(dir, 'other-homeserver.yaml');
    writeFileSync(other, 'server_name: other.example\nmatrix_authentication_service:\n  enabled: true\n');
    const result = await cli('import-synapse', '--synapse-config', other, '--synapse-database-url', sqlite);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing: ${other} is for other.example, this service for ${HS}`);
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
  });

  it('dry run: the counts per kind and every skipped row with its reason; nothing written', async () => {
    const result = await cli(...importArgs('--dry-run'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'skip users: @1234:example.test: guest user',
      'skip users: @Old Name:example.test: localpart outside the localpart rules (invalid characters)',
      'skip users: @_irc_bot:example.test: application service user (irc)',
      'skip emails: @ann:example.test msisdn 447700900000: threepid medium msisdn is not imported',
      'skip devices: @1234:example.test device GUESTDEV: owner skipped: guest user',
      'skip devices: @ann:example.test device MASTERKEY: hidden device (cross-signing keys)',
      'skip access_tokens: access token #4 of @ann:example.test (device ANNPHONE): expired token',
      'skip access_tokens: access token #5 of @ann:example.test (device none): token without a device',
      'skip access_tokens: access token #6 of @ann:example.test (device DELETED): token of a deleted device',
      'skip access_tokens: access token #8 of @1234:example.test (device GUESTDEV): owner skipped: guest user',
      'skip refresh_tokens: refresh token #2 of @ann:example.test (device ANNPHONE): refresh token already used',
      // The counts after the rows, so they are the last thing on the screen.
      'users: 6 read, 3 to import, 3 skipped',
      'emails: 2 read, 1 to import, 1 skipped',
      'upstream_links: 1 read, 1 to import, 0 skipped',
      'devices: 4 read, 2 to import, 2 skipped',
      'access_tokens: 8 read, 4 to import, 4 skipped',
      'refresh_tokens: 2 read, 1 to import, 1 skipped',
      'dry run: nothing was written',
    ]);
    // Logs are JSON lines on stderr.
    const logLines = result.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(JSON.parse(logLines[0] ?? '{}')).toMatchObject({
      msg: 'import from Synapse started',
      dryRun: true,
    });
    expect(await queryRows(db.url, 'SELECT 1 FROM users')).toEqual([]);
  });

  it('imports what the dry run announced, tokens as hashes only', async () => {
    const result = await cli(...importArgs());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('users: 6 read, 3 imported, 0 already present, 3 skipped');
    expect(result.stdout).toContain('import complete: 12 rows written');
    // The audit log: the dry run's summary and this one's, each after its `attempted` line.
    expect(
      await queryRows(
        db.url,
        `SELECT outcome, actor, details FROM audit_events WHERE type = 'import.synapse' ORDER BY id`,
      ),
    ).toEqual([
      {
        outcome: 'attempted',
        actor: 'cli',
        details: { command: 'import-synapse', options: 'dry-run,synapse-config,synapse-database-url' },
      },
      {
        outcome: 'succeeded',
        actor: 'cli',
        details: expect.objectContaining({ dry_run: true, users_written: 0 }),
      },
      {
        outcome: 'attempted',
        actor: 'cli',
        details: { command: 'import-synapse', options: 'synapse-config,synapse-database-url' },
      },
      {
        outcome: 'succeeded',
        actor: 'cli',
        details: expect.objectContaining({
          dry_run: false,
          resumed: false,
          users_written: 3,
          devices_written: 2,
        }),
      },
    ]);
    expect(
      await queryRows(
        db.url,
        `SELECT localpart, admin, display_name, substr(password_hash, 1, 4) AS hash, created_at,
                deactivated_at IS NOT NULL AS deactivated, locked_at IS NOT NULL AS locked
         FROM users ORDER BY localpart`,
      ),
    ).toEqual([
      {
        localpart: 'ann',
        admin: true,
        display_name: 'Ann Example',
        hash: '$2b$',
        created_at: new Date(1_700_000_000_000),
        deactivated: false,
        locked: false,
      },
      {
        localpart: 'ben',
        admin: false,
        display_name: null,
        hash: '$2b$',
        created_at: new Date(1_700_000_100_000),
        deactivated: false,
        locked: true,
      },
      {
        localpart: 'cid',
        admin: false,
        display_name: null,
        hash: null,
        created_at: new Date(1_700_000_200_000),
        deactivated: true,
        locked: false,
      },
    ]);
    expect(
      await queryRows(
        db.url,
        'SELECT e.email, e.confirmed_at FROM user_emails e JOIN users u ON u.id = e.user_id',
      ),
    ).toEqual([{ email: 'ann@example.test', confirmed_at: new Date(1_700_000_000_000) }]);
    expect(
      await queryRows(
        db.url,
        `SELECT l.provider_id, l.subject, u.localpart FROM upstream_oauth_links l JOIN users u ON u.id = l.user_id`,
      ),
    ).toEqual([{ provider_id: 'oidc-corp', subject: 'subject-1', localpart: 'ann' }]);
    const tokens = await queryRows<{ token_hash: string; device_id: string; expires: boolean }>(
      db.url,
      `SELECT t.token_hash, s.device_id, t.expires_at IS NOT NULL AS expires
       FROM compat_access_tokens t JOIN compat_sessions s ON s.id = t.session_id ORDER BY s.device_id, t.token_hash`,
    );
    expect(tokens).toEqual(
      [
        { token_hash: sha256('syt_YW5u_annphonetoken_000001'), device_id: 'ANNPHONE', expires: false },
        { token_hash: sha256(MACAROON), device_id: 'ANNPHONE', expires: false },
        { token_hash: sha256('syt_YW5u_refreshable_000003'), device_id: 'ANNPHONE', expires: true },
        { token_hash: sha256('syt_YmVu_benlaptop_000007'), device_id: 'BENLAPTOP', expires: false },
      ].sort((a, b) => a.device_id.localeCompare(b.device_id) || a.token_hash.localeCompare(b.token_hash)),
    );
    expect(
      await queryRows(db.url, 'SELECT token_hash, access_token_hash FROM compat_refresh_tokens'),
    ).toEqual([
      {
        token_hash: sha256('syr_YW5u_refresh_000001'),
        access_token_hash: sha256('syt_YW5u_refreshable_000003'),
      },
    ]);
  });

  it('a second run changes nothing and says so', async () => {
    const result = await cli(...importArgs());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('access_tokens: 8 read, 0 imported, 4 already present, 4 skipped');
    expect(result.stdout).toContain('nothing changed: everything was already imported');
  });

  // Four CLI runs, each starting node: slow on a busy machine.
  it('refuses a target with users it did not import, unless told', { timeout: 90_000 }, async () => {
    const other = await createTestDatabase();
    const otherEnv = { ...env, AUTH_DATABASE_URL: other.url };
    const cliOn = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: otherEnv });
        return { code: 0, out: stdout + stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };
    try {
      expect((await cliOn('migrate')).code).toBe(0);
      expect((await cliOn('user', 'add', 'existing', '--password', 'correct horse battery')).code).toBe(0);
      const refused = await cliOn(...importArgs());
      expect(refused).toMatchObject({ code: 1, out: expect.stringContaining('--allow-existing-users') });
      const allowed = await cliOn(...importArgs('--allow-existing-users'));
      expect(allowed).toMatchObject({ code: 0, out: expect.stringContaining('users: 6 read, 3 imported') });
    } finally {
      await other.drop();
    }
  });

  it('refuses a Synapse whose hashes need its pepper', async () => {
    const peppered = join(dir, 'peppered.yaml');
    writeFileSync(
      peppered,
      `server_name: ${HS}\nexperimental_features:\n  msc3861:\n    enabled: true\npassword_config:\n  pepper: spicy\n`,
    );
    const pepper = await cli(
      'import-synapse',
      '--synapse-config',
      peppered,
      '--synapse-database-url',
      sqlite,
    );
    expect(pepper).toMatchObject({ code: 1, stderr: expect.stringContaining('password_config.pepper') });
  });
});
