import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * tools/ensure-deps.mjs in a checkout of its own, with an `npm` on PATH that records its calls and does
 * what `npm ci` leaves behind (npm's marker, written now).
 */
describe('ensure-deps', () => {
  let checkout: string;
  let calls: string;
  const lock = () => join(checkout, 'package-lock.json');
  const marker = () => join(checkout, 'node_modules/.package-lock.json');
  const record = () => join(checkout, 'node_modules/.gateway-lockfile.sha256');

  beforeEach(() => {
    checkout = mkdtempSync(join(tmpdir(), 'ensure-deps-'));
    mkdirSync(join(checkout, 'tools'));
    mkdirSync(join(checkout, 'bin'));
    copyFileSync(resolve(__dirname, 'ensure-deps.mjs'), join(checkout, 'tools/ensure-deps.mjs'));
    calls = join(checkout, 'npm-calls');
    const npm = join(checkout, 'bin/npm');
    writeFileSync(
      npm,
      `#!/bin/sh\necho "$*" >> "${calls}"\nmkdir -p node_modules && : > node_modules/.package-lock.json\n`,
    );
    chmodSync(npm, 0o755);
    writeFileSync(lock(), '{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}\n');
  });

  afterEach(() => {
    rmSync(checkout, { recursive: true, force: true });
  });

  /** Runs the script; the npm calls it made. */
  function ensure(): string[] {
    if (existsSync(calls)) rmSync(calls);
    const r = spawnSync(process.execPath, [join(checkout, 'tools/ensure-deps.mjs')], {
      cwd: checkout,
      env: { ...process.env, PATH: `${join(checkout, 'bin')}:${process.env['PATH'] ?? ''}` },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
  }

  /** Moves a file's modification time `seconds` into the past. */
  function age(path: string, seconds: number): void {
    const t = Date.now() / 1000 - seconds;
    utimesSync(path, t, t);
  }

  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('installs into a fresh clone, records the lockfile, and does not install again', () => {
    expect(ensure()).toEqual(['ci --no-audit --no-fund']);
    expect(readFileSync(record(), 'utf8').trim()).toBe(sha256(lock()));
    expect(ensure()).toEqual([]);
  });

  it('does not reinstall when a checkout rewrites the lockfile unchanged (a branch switch, a worktree)', () => {
    ensure();
    age(marker(), 60);
    writeFileSync(lock(), readFileSync(lock()));
    expect(ensure()).toEqual([]);
  });

  it('reinstalls when the lockfile changed, whatever the times say', () => {
    ensure();
    writeFileSync(lock(), '{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"2.0.0"}}}\n');
    age(lock(), 60);
    expect(ensure()).toEqual(['ci --no-audit --no-fund']);
    expect(readFileSync(record(), 'utf8').trim()).toBe(sha256(lock()));
  });

  it('adopts an install made by plain `npm ci` (no record, marker newer) without reinstalling', () => {
    age(lock(), 60);
    mkdirSync(join(checkout, 'node_modules'));
    writeFileSync(marker(), '{}');
    expect(ensure()).toEqual([]);
    expect(readFileSync(record(), 'utf8').trim()).toBe(sha256(lock()));
  });

  it('without a record, falls back to the times: a lockfile newer than the install reinstalls', () => {
    mkdirSync(join(checkout, 'node_modules'));
    writeFileSync(marker(), '{}');
    age(marker(), 60);
    expect(ensure()).toEqual(['ci --no-audit --no-fund']);
  });

  it('stops with npm’s status when the install fails, recording nothing', () => {
    writeFileSync(join(checkout, 'bin/npm'), '#!/bin/sh\nexit 3\n');
    const r = spawnSync(process.execPath, [join(checkout, 'tools/ensure-deps.mjs')], {
      cwd: checkout,
      env: { ...process.env, PATH: `${join(checkout, 'bin')}:${process.env['PATH'] ?? ''}` },
    });
    expect(r.status).toBe(3);
    expect(existsSync(record())).toBe(false);
  });
});
