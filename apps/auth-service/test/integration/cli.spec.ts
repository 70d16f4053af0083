import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, queryRows, type TestDatabase } from '@gateway/testing';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/auth-service/cli.js');

// The operator CLI as an operator runs it: the built file, configured by the environment.
describe('auth-service CLI', () => {
  let db: TestDatabase;
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
  });
  afterAll(async () => {
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

  it('checks the configuration and names a bad variable', async () => {
    expect(await cli('config', 'check')).toMatchObject({
      code: 0,
      out: expect.stringContaining('configuration OK'),
    });
    env['AUTH_ISSUER'] = 'not a url';
    expect(await cli('config', 'check')).toMatchObject({
      code: 1,
      out: expect.stringContaining('AUTH_ISSUER: must be an http(s) URL'),
    });
    env['AUTH_ISSUER'] = 'http://127.0.0.1:9/';
  });

  it('migrates once, then adds users (refusing duplicates and bad names)', async () => {
    expect((await cli('migrate')).out).toContain('applied: InitialSchema');
    expect((await cli('migrate')).out).toContain('database is up to date');
    const added = await cli('user', 'add', 'Carol', '--password', 'correct horse battery', '--admin');
    expect(added).toMatchObject({
      code: 0,
      out: expect.stringContaining('created @carol:example.test (admin)'),
    });
    // Synapse is not running here: the user is still created and will be provisioned at first sign-in.
    expect(added.out).toContain('not yet provisioned in Synapse');
    expect(await cli('user', 'add', 'carol', '--password', 'another long password')).toMatchObject({
      code: 1,
      out: expect.stringContaining('taken'),
    });
    expect(await cli('user', 'add', 'bad name', '--password', 'correct horse battery')).toMatchObject({
      code: 1,
    });
    expect(await cli('user', 'add', 'dave')).toMatchObject({
      code: 2,
      out: expect.stringContaining('usage'),
    });
  });

  it("applies the password strength rules, which MAS's flags let an operator skip", async () => {
    const weak = 'qwertyuiopasdfghjkl';
    expect(await cli('user', 'add', 'erin', '--password', weak)).toMatchObject({
      code: 1,
      out: expect.stringContaining('This password is too easy to guess.'),
    });
    expect(
      await cli('user', 'add', 'erin', '--password', weak, '--ignore-password-complexity'),
    ).toMatchObject({ code: 0, out: expect.stringContaining('created @erin:example.test') });
    expect(await cli('user', 'set-password', 'erin', '--password', weak)).toMatchObject({
      code: 1,
      out: expect.stringContaining('This password is too easy to guess.'),
    });
    // Skipping the strength rules keeps the length window.
    expect(
      await cli('user', 'set-password', 'erin', '--password', 'short', '--ignore-complexity'),
    ).toMatchObject({ code: 1, out: expect.stringContaining('This password is too short.') });
    expect(await cli('user', 'set-password', 'erin', '--password', 'correct horse battery')).toMatchObject({
      code: 0,
      out: expect.stringContaining('password of @erin:example.test changed'),
    });
  });
  it('keeps a lifecycle change when Synapse does not follow, exits 1 saying so, and finishes it when run again', async () => {
    // Synapse is not running (AUTH_SYNAPSE_URL answers nothing): the lock is made here only.
    const locked = await cli('user', 'lock', 'carol');
    expect(locked.code).toBe(1);
    expect(locked.out).toContain('changed here, but Synapse did not follow');
    expect(locked.out).toContain('run the command again');
    expect(
      await queryRows(db.url, `SELECT locked_at IS NOT NULL AS locked FROM users WHERE localpart = 'carol'`),
    ).toEqual([{ locked: true }]);

    // Synapse is back: the same command finishes the change there.
    const asked: { url: string; body: string }[] = [];
    const synapse = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        asked.push({ url: req.url ?? '', body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => synapse.listen(0, '127.0.0.1', r));
    env['AUTH_SYNAPSE_URL'] = `http://127.0.0.1:${String((synapse.address() as AddressInfo).port)}`;
    try {
      expect((await cli('user', 'lock', 'carol')).code).toBe(0);
      expect(asked).toEqual([
        { url: '/_synapse/mas/provision_user', body: expect.stringContaining('"locked":true') as unknown },
      ]);
    } finally {
      env['AUTH_SYNAPSE_URL'] = 'http://127.0.0.1:9';
      await new Promise((r) => synapse.close(r));
    }
  });
});
