import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  oauthAccessToken,
  startGatewayStack,
  testRedisUrl,
  type GatewayStack,
  type TestDatabase,
} from '@gateway/testing';
import { formatReport, runConformance, type Report } from '../../src';
import { startFakeLiveKit } from '../support/fake-livekit';

const root = resolve(__dirname, '../../../..');
const LIVEKIT = { key: 'devkey', secret: 'conformance-secret-conformance-secret' };
const status = (report: Report): Record<string, string> =>
  Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

// The stack `npm start` runs (tools/start: a delegated Synapse 1.160 and the three built services), checked
// from the outside with nothing but the sync-proxy's URL and a token from the auth service's OAuth flow.
describe('the conformance suite against the gateway stack', () => {
  let stack: GatewayStack;
  let livekit: Awaited<ReturnType<typeof startFakeLiveKit>>;
  const databases: TestDatabase[] = [];
  let logs = '';
  let accessToken: string;

  beforeAll(async () => {
    livekit = await startFakeLiveKit(LIVEKIT.key, LIVEKIT.secret);
    const auth = await createTestDatabase();
    const sync = await createTestDatabase();
    databases.push(auth, sync);
    stack = await startGatewayStack({
      root,
      databases: { auth: auth.url, sync: sync.url },
      redisUrl: testRedisUrl(),
      livekit: { url: livekit.url, ...LIVEKIT },
      signingKeyFile: join(mkdtempSync(join(tmpdir(), 'conformance-keys-')), 'keys.json'),
      output: (name, line) => {
        logs += `[${name}] ${line}\n`;
      },
    });
    stack.addUser('alice', 'correct horse battery staple', { admin: true });
    ({ accessToken } = await oauthAccessToken(stack.issuer, {
      username: 'alice',
      password: 'correct horse battery staple',
    }));
  });
  afterAll(async () => {
    await stack.stop();
    await livekit.stop();
    for (const db of databases) await db.drop();
  });

  it('passes every check with only the sync-proxy URL and an OAuth access token', async () => {
    const report = await runConformance({ homeserver: stack.sync.url, accessToken });
    expect(report.ok, `${formatReport(report)}\n${logs.split('\n').slice(-20).join('\n')}`).toBe(true);
    expect(report.baseUrl).toBe(stack.sync.url);
    // Everything is proven except what needs a person: logging in (a token was given) and the device grant.
    expect(status(report)).toEqual({
      'discovery.well-known': 'pass',
      versions: 'pass',
      'auth.metadata': 'pass',
      'auth.issuer-discovery': 'pass',
      'auth.device-grant': 'skip',
      login: 'skip',
      whoami: 'pass',
      'sliding-sync.first-response': 'pass',
      'sliding-sync.round-trip': 'pass',
      'rtc.focus': 'pass',
      'rtc.openid-token': 'pass',
      'rtc.token': 'pass',
      'qr-login.rendezvous': 'pass',
      'health.homeserver': 'pass',
      'health.auth': 'pass',
      'health.rtc': 'pass',
    });
    // The RTC token led to a LiveKit room, created by the RTC service for this user.
    expect(livekit.createdRooms).toHaveLength(1);
    process.stdout.write(formatReport(report));
  });
});
