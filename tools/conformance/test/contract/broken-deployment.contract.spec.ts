import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSynapse, synapseChroot, type RegisteredUser, type Synapse } from '@gateway/testing';

const root = resolve(__dirname, '../../../..');
const BIN = join(root, 'tools/conformance/bin/matrix-gateway-conformance.js');

/** The command as an operator runs it (the built file behind the root package's bin). */
function conformance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** Parses JUnit XML with a real XML parser (Python's, from the Synapse test bed) and summarises it. */
async function parseJUnit(file: string): Promise<{ tests: number; failures: string[]; skipped: number }> {
  const script = [
    'import sys, json, xml.etree.ElementTree as ET',
    'suite = ET.parse(sys.stdin).getroot().find("testsuite")',
    'cases = suite.findall("testcase")',
    'print(json.dumps({"tests": len(cases), "declared": int(suite.get("tests")),',
    ' "failures": [c.get("name") for c in cases if c.find("failure") is not None],',
    ' "skipped": len([c for c in cases if c.find("skipped") is not None])}))',
  ].join('\n');
  const out = execFileSync('chroot', [await synapseChroot(), 'python3', '-c', script], {
    input: readFileSync(file),
  }).toString();
  const parsed = JSON.parse(out) as { tests: number; declared: number; failures: string[]; skipped: number };
  expect(parsed.declared).toBe(parsed.tests);
  return parsed;
}

// A deployment that is broken must be reported as such: a readable FAIL line, a non-zero exit status,
// and JUnit XML that a CI system can read.
describe('the conformance command against broken deployments', () => {
  let synapse: Synapse;
  let alice: RegisteredUser;
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'));

  beforeAll(async () => {
    // The RTC focus it advertises points at a port where nothing listens.
    synapse = await startSynapse({ mode: 'plain', rtcServiceUrls: [`http://127.0.0.1:${await freePort()}`] });
    alice = await synapse.registerUser('alice', { password: 'correct horse battery staple' });
  });
  afterAll(async () => {
    await synapse.stop();
  });

  it('a wrong password: FAIL login, exit 1, the checks that need a token skipped', async () => {
    const junit = join(dir, 'wrong-password.xml');
    const run = await conformance([
      '--homeserver',
      synapse.baseUrl,
      '--user',
      'alice',
      '--password',
      'not the password',
      '--junit',
      junit,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL {2}login +\d+ ms {2}POST \S+\/_matrix\/client\/v3\/login as alice: 403 M_FORBIDDEN/m,
    );
    expect(run.stdout).toMatch(/^SKIP {2}whoami +\d+ ms {2}needs an access token$/m);
    expect(run.stdout).toMatch(/^FAILED: \d+ passed, 1 failed, \d+ skipped in [\d.]+ s$/m);
    const xml = await parseJUnit(junit);
    expect(xml.failures).toEqual(['login']);
    expect(xml.tests).toBeGreaterThan(10);
  });

  it('an RTC focus that points nowhere: FAIL rtc.token and health.rtc, exit 1', async () => {
    const junit = join(dir, 'rtc-nowhere.xml');
    const run = await conformance([
      '--homeserver',
      synapse.baseUrl,
      '--access-token',
      alice.accessToken,
      '--junit',
      junit,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^PASS {2}sliding-sync\.round-trip /m);
    expect(run.stdout).toMatch(
      /^FAIL {2}rtc\.token +\d+ ms {2}POST http:\/\/127\.0\.0\.1:\d+\/get_token: ECONNREFUSED/m,
    );
    expect((await parseJUnit(junit)).failures).toEqual(['rtc.token', 'health.rtc']);
  });

  it('a server that is not there: FAIL on discovery, exit 1', async () => {
    const run = await conformance([
      '--homeserver',
      `http://127.0.0.1:${await freePort()}`,
      '--timeout',
      '2000',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}discovery\.well-known +\d+ ms {2}GET \S+: ECONNREFUSED/m);
  });

  it('bad arguments: usage and exit 2; --help: exit 0', async () => {
    const bad = await conformance(['--user', 'alice']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--homeserver is required');
    const help = await conformance(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: matrix-gateway-conformance --homeserver <url>');
  });
});
