import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { formatReport, runConformance, type Report } from '../../src';

const status = (report: Report): Record<string, string> =>
  Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

// Any Matrix 2.0 deployment, not only the gateway: a plain Synapse 1.160 with its own password login
// and its own (native) sliding sync on the unstable simplified path.
describe('the conformance suite against a plain Synapse', () => {
  let synapse: Synapse;
  let alice: RegisteredUser;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    alice = await synapse.registerUser('alice', { password: 'correct horse battery staple' });
  });
  afterAll(async () => {
    await synapse.stop();
  });

  it('passes, logging in with the password through /login', async () => {
    const report = await runConformance({
      homeserver: synapse.baseUrl,
      user: 'alice',
      password: alice.password,
    });
    expect(report.ok, formatReport(report)).toBe(true);
    expect(status(report)).toMatchObject({
      'discovery.well-known': 'pass',
      versions: 'pass',
      'auth.metadata': 'skip',
      login: 'pass',
      whoami: 'pass',
      'sliding-sync.first-response': 'pass',
      'sliding-sync.round-trip': 'pass',
      'health.homeserver': 'pass',
    });
    const sync = report.checks.find((c) => c.id === 'sliding-sync.first-response')!;
    expect(sync.detail).toContain('/_matrix/client/unstable/org.matrix.simplified_msc3575/sync');
    process.stdout.write(formatReport(report));
  });
});
