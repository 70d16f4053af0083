import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/sync-proxy/cli.js');

// The operator CLI as an operator runs it: the built file, configured by the SYNCV3_* environment.
describe('sync-proxy CLI', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      ...process.env,
      SYNCV3_SERVER: 'http://127.0.0.1:9',
      SYNCV3_DB: db.url,
      SYNCV3_SECRET: 'cli-test-secret-0123456789',
    };
  });
  afterAll(async () => {
    await db.drop();
  });

  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { ...env, ...extraEnv },
      });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  it('migrates once, then reports the database up to date', async () => {
    const first = await cli(['migrate']);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain('applied: SyncInitialSchema');
    expect(await cli(['migrate'])).toEqual({ code: 0, out: 'database is up to date\n' });
  });

  it('prunes on demand', async () => {
    const pruned = await cli(['prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain('"timeline":0');
  });

  it('checks the configuration and names a bad variable', async () => {
    expect((await cli(['config', 'check'])).code).toBe(0);
    const bad = await cli(['config', 'check'], { SYNCV3_SERVER: 'ftp://nope' });
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('SYNCV3_SERVER');
  });

  it('answers an unknown command with the list of commands', async () => {
    const answer = await cli(['frobnicate']);
    expect(answer.code).toBe(2);
    expect(answer.out.split('\n').slice(0, 6)).toEqual([
      'sync-proxy: unknown command: frobnicate',
      'usage: cli.js <command> [arguments]    (cli.js <command> --help for one command)',
      '',
      'commands:',
      expect.stringMatching(/^ {2}migrate +apply pending database migrations$/),
      expect.stringMatching(/^ {2}config check +/),
    ]);
  });
});
