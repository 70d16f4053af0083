import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '@gateway/testing';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../../../dist/apps/rtc-jwt-service/cli.js');

// The operator CLI as an operator runs it: the built file, configured by the environment.
describe('rtc-jwt-service CLI', () => {
  const base = {
    LIVEKIT_URL: 'ws://127.0.0.1:9',
    LIVEKIT_KEY: 'key',
    LIVEKIT_SECRET: 'secret-secret-secret-secret-secret',
    LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
  };
  const cli = async (env: Record<string, string>, ...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env['PATH'] ?? '', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('prints a registration with the configured tokens, and never overwrites an existing file', async () => {
    const membership = {
      ...base,
      LIVEKIT_AS_TOKEN: 'as-token-configured',
      LIVEKIT_HS_TOKEN: 'hs-token-configured',
      LIVEKIT_HS_SERVER_NAME: 'hs.test',
    };
    const printed = await cli(membership, 'appservice-registration');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('as_token: "as-token-configured"');
    expect(printed.stdout).toContain('hs_token: "hs-token-configured"');
    expect(printed.stdout).toContain('io.element.msc4502.scopes:');

    // A registration Synapse already trusts stays as it is.
    const file = join(mkdtempSync(join(tmpdir(), 'rtc-cli-')), 'registration.yaml');
    writeFileSync(file, 'as_token: "the-one-synapse-has"\n');
    const refused = await cli(membership, 'appservice-registration', '--output', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`not overwriting ${file}: it exists`);
    expect(readFileSync(file, 'utf8')).toBe('as_token: "the-one-synapse-has"\n');
  });

  it('doctor names a broken link with FAIL and exits 1', async () => {
    const down = `ws://127.0.0.1:${String(await freePort())}`;
    const result = await cli({ ...base, LIVEKIT_URL: down }, 'doctor');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL .*unreachable/m);
  });
});
