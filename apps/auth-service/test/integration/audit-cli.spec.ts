import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');

// The operator CLI's changes are audited fail-closed: no audit record, no change, exit 1.
describe('auth-service CLI audit', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      ...process.env,
      AUTH_ISSUER: 'http://127.0.0.1:9/',
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_HOMESERVER: 'example.test',
      AUTH_SYNAPSE_URL: 'http://127.0.0.1:9',
      AUTH_SYNAPSE_SECRET: 'cli-test-secret-0123456789',
      AUTH_SIGNING_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'cli-keys-')), 'keys.json'),
    };
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
  });
  afterAll(async () => {
    await database.close();
    await db.drop();
  });

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  it('records the attempt and the outcome of a change, with option names but no values', async () => {
    expect((await cli('user', 'add', 'erin', '--password', 'a long secret passphrase')).code).toBe(0);
    const events = (await store.auditEvents.listPage({ type: 'cli.user.created' }, {})).items;
    expect(events.map((e) => [e.outcome, e.actor, e.actorKind, e.subject])).toEqual([
      ['attempted', 'cli', 'cli', 'erin'],
      ['succeeded', 'cli', 'cli', 'erin'],
    ]);
    expect(events[1]?.details).toEqual({
      command: 'user add',
      options: 'password',
      attempt: events[0]?.id,
      exit: 0,
    });
    expect(JSON.stringify(events)).not.toContain('a long secret passphrase');
    // A refused command is recorded as failed with its exit code.
    expect((await cli('user', 'lock', 'nobody')).code).toBe(1);
    const lock = (await store.auditEvents.listPage({ type: 'cli.user.locked' }, {})).items;
    expect(lock.map((e) => [e.outcome, e.details['exit'] ?? null])).toEqual([
      ['attempted', null],
      ['failed', 1],
    ]);
    // A registration token is a secret: never the subject, never in the details.
    const made = await cli('registration-token', 'add', '--token', 'invite-code-for-frank');
    expect(made.code).toBe(0);
    const token = (await store.auditEvents.listPage({ type: 'cli.registration-token.created' }, {})).items;
    expect(token).toHaveLength(2);
    expect(JSON.stringify(token)).not.toContain('invite-code-for-frank');
  });

  it('exits 1 and changes nothing when the audit log cannot be written', async () => {
    await database.dataSource.query('ALTER TABLE audit_events RENAME TO audit_events_away');
    try {
      const locked = await cli('user', 'lock', 'erin');
      expect(locked.code).toBe(1);
      expect(locked.out).toContain('the audit log could not be written; nothing was changed');
      expect((await store.users.findByLocalpart('erin'))?.lockedAt).toBeNull();
      const added = await cli('user', 'add', 'gina', '--password', 'another long passphrase');
      expect(added.code).toBe(1);
      expect(await store.users.findByLocalpart('gina')).toBeNull();
    } finally {
      await database.dataSource.query('ALTER TABLE audit_events_away RENAME TO audit_events');
    }
    // With the log back, changes go through again.
    expect((await cli('registration-token', 'add')).code).toBe(0);
  });
});
