import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BODYLESS_METHODS,
  fuzzSeed,
  runFuzzTier,
  type BodyExample,
  type FuzzAnswer,
  type FuzzTarget,
} from '@gateway/testing';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, type FakeHomeserver } from '../fakes/fake-homeserver';
import { startRtc, type RtcUnderTest } from '../support/start-rtc';

// Every route of the rtc-jwt-service that takes a body, FUZZ_BODIES seeded bodies each (10,000 unless set;
// npm test sets 1,000, see tools/test/run-all.mjs), over keep-alive HTTP against the real app: no 5xx, no
// answer slower than the deadline, every answer in the endpoint's documented shape, and neither the LiveKit
// secret nor the client's OpenID token in any answer or log line. The homeserver says yes to every OpenID
// token, so valid-enough bodies reach LiveKit (the fake) and not only the parser's error paths.
const SEED = fuzzSeed(0x5ecf22);
const BODY_LIMIT = 64 * 1024;
const OPENID_TOKEN = 'openid-token-never-echoed-5d1c0a';

const TOKEN_BODY = {
  room_id: '!r:hs.test',
  slot_id: 'm.call#ROOM',
  openid_token: {
    access_token: OPENID_TOKEN,
    token_type: 'Bearer',
    matrix_server_name: 'hs.test',
    expires_in: 3600,
  },
  member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: 'DEV' },
};

const WEBHOOK_BODY = {
  event: 'participant_joined',
  id: 'EV_fuzz',
  createdAt: '1700000000',
  room: { name: 'room', sid: 'RM_fake' },
  participant: { identity: '@alice:hs.test:DEV', sid: 'PA_fake', disconnectReason: 'CLIENT_INITIATED' },
};

const EXAMPLES: Record<string, BodyExample> = {
  'POST /get_token': { kind: 'json', value: TOKEN_BODY },
  'POST /sfu/get': {
    kind: 'json',
    value: { room: '!r:hs.test', openid_token: TOKEN_BODY.openid_token, device_id: 'DEV' },
  },
  'POST /delegate_delayed_leave': {
    kind: 'json',
    value: { ...TOKEN_BODY, delay_id: 'syd_1', delay_timeout: 10_000, delay_cs_api_url: 'http://hs.test' },
  },
};

// Routes that never read a body, each with why it is not fuzzed; the coverage check fails on a route
// that is in neither list, and on a reason left here after its route is gone.
const STUB_405 =
  "fastify-setup.ts's fixed empty 405 for a wrong method; the body parser in front of it is Fastify's, fuzzed through /sfu_webhook";
const EXCLUDED: Record<string, string> = {
  'PUT /get_token': STUB_405,
  'PATCH /get_token': STUB_405,
  'PUT /sfu/get': STUB_405,
  'PATCH /sfu/get': STUB_405,
  'PUT /delegate_delayed_leave': STUB_405,
  'PATCH /delegate_delayed_leave': STUB_405,
  'POST /healthz': STUB_405,
  'PUT /healthz': STUB_405,
  'PATCH /healthz': STUB_405,
  'TRACE /sfu_webhook':
    "@All's TRACE, which fetch refuses to send; the same handler is fuzzed as POST, PUT, PATCH and QUERY",
};

/** A Matrix error (lk-jwt-service's `{errcode, error}`), a JSON success, or the 405s' empty body. */
function matrixShape({ status, text }: FuzzAnswer): string | null {
  if (status === 405) return text === '' ? null : '405 with a body';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (status === 200) return typeof json === 'object' && json !== null ? null : 'a 200 that is not an object';
  return typeof (json as { errcode?: unknown }).errcode === 'string' ? null : 'an error without errcode';
}

describe('rtc-jwt-service endpoints under seeded fuzzing', () => {
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;

  beforeAll(async () => {
    hs = await startFakeHomeserver();
    hs.handle(answerSub('@alice:hs.test'));
    livekit = await new FakeLiveKit().start();
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      RTC_USERINFO_TIMEOUT_MS: '1000',
      RTC_RATE_LIMIT_PER_IP: '0',
    });
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await hs.close();
  });

  it('answers every body of every body-taking route in shape, in time, without a secret', async () => {
    const targets: FuzzTarget[] = [];
    for (const { method, url } of rtc.routes) {
      const route = `${method} ${url}`;
      if (BODYLESS_METHODS.includes(method) || route in EXCLUDED) continue;
      if (targets.some((t) => t.route === route)) continue;
      const webhook = url === '/sfu_webhook';
      targets.push({
        route,
        method,
        url: `${rtc.url}${url}`,
        example: EXAMPLES[route] ?? { kind: 'json', value: webhook ? WEBHOOK_BODY : TOKEN_BODY },
        bodyLimit: BODY_LIMIT,
        // LiveKit signs the exact bytes, so every body carries its own signature and reaches the parser.
        ...(webhook
          ? {
              sign: async (body: Uint8Array) => ({ authorization: await livekit.sign(body) }),
              // 200 with no body once the handler has it, as lk-jwt-service (LiveKit retries anything
              // else); before that, Fastify's parser refusals (400, 413, 415) as Matrix errors.
              shape: (answer: FuzzAnswer) =>
                answer.status === 200
                  ? answer.text === ''
                    ? null
                    : 'a 200 with a body'
                  : matrixShape(answer),
            }
          : { shape: matrixShape }),
      });
    }
    // New routes get a fuzzer from the loop above; runFuzzTier's coverage check proves the list is what
    // was looked at.
    expect(targets.map((t) => t.route)).toContain('POST /get_token');

    const secrets = [livekit.secret, OPENID_TOKEN];
    const results = await runFuzzTier('rtc-jwt-service', targets, {
      routes: rtc.routes,
      excluded: EXCLUDED,
      seed: SEED,
      secrets,
      takeLogs: () => rtc.takeLogs(),
    });
    // The fuzzing reached past the parser: some bodies were accepted.
    expect(results.find((r) => r.route === 'POST /get_token')?.statuses['200']).toBeGreaterThan(10);
  });
});
