import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, unusedPort, type FakeHomeserver } from '../fakes/fake-homeserver';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

const USERINFO = '/_matrix/federation/v1/openid/userinfo';

// lk-jwt-service's HTTP contract, its error rows in order, and faults of the homeserver: everything a
// client sees that does not need a real Synapse. The homeservers here are fakes so they can misbehave.
describe('rtc-jwt-service HTTP surface', () => {
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  let rtc: RtcUnderTest;
  let downPort: number;

  beforeAll(async () => {
    hs = await startFakeHomeserver();
    livekit = await new FakeLiveKit().start();
    downPort = await unusedPort();
    rtc = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl},down.test=http://127.0.0.1:${downPort}`,
      RTC_USERINFO_TIMEOUT_MS: '1000',
      // This file sends one user's requests by the hundred; limits have their own tests.
      RTC_RATE_LIMIT_PER_IP: '0',
      RTC_RATE_LIMIT_PER_USER: '0',
    });
  });
  afterAll(async () => {
    await rtc.stop();
    await livekit.stop();
    await hs.close();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    room_id: '!r:hs.test',
    slot_id: 'm.call#ROOM',
    openid_token: {
      access_token: 'tok',
      token_type: 'Bearer',
      matrix_server_name: 'hs.test',
      expires_in: 3600,
    },
    member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: 'DEV' },
    ...over,
  });

  it('sets CORS headers on every answer of the token endpoints and answers OPTIONS with an empty 200', async () => {
    for (const path of ['/get_token', '/sfu/get', '/delegate_delayed_leave']) {
      const pre = await fetch(`${rtc.url}${path}`, { method: 'OPTIONS' });
      expect(pre.status).toBe(200);
      expect(await pre.text()).toBe('');
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
      expect(pre.headers.get('access-control-allow-headers')).toBe(
        'Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token',
      );
      const wrong = await fetch(`${rtc.url}${path}`, { method: 'GET' });
      expect(wrong.status).toBe(405);
      expect(await wrong.text()).toBe('');
      expect(wrong.headers.get('access-control-allow-origin')).toBe('*');
      const bad = await post(`${rtc.url}${path}`, '{');
      expect(bad.status).toBe(400);
      expect(bad.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('serves /healthz for GET and HEAD only, and 404 for unknown paths', async () => {
    expect((await fetch(`${rtc.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${rtc.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${rtc.url}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${rtc.url}/livekit/jwt/get_token`, { method: 'POST' })).status).toBe(404);
  });

  it('rejects bad bodies in the reference order without contacting the homeserver', async () => {
    hs.requests.length = 0;
    const cases: [unknown, string, string][] = [
      ['not json', 'M_NOT_JSON', 'Error reading request'],
      ['', 'M_NOT_JSON', 'Error reading request'],
      [{ ...body(), room_id: 5 }, 'M_NOT_JSON', 'Error reading request'],
      [{ ...body(), room_id: '' }, 'M_BAD_JSON', 'The request body is missing `room_id` or `slot_id`'],
      [
        { ...body(), member: { id: 'x' } },
        'M_BAD_JSON',
        'The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`',
      ],
      [
        { ...body(), openid_token: { access_token: '' } },
        'M_BAD_JSON',
        'The request body `openid_token` is missing a `access_token` or `matrix_server_name`',
      ],
      [
        { ...body(), delay_id: 'syd' },
        'M_BAD_JSON',
        'The request body is missing `delay_id` or `delay_timeout`',
      ],
    ];
    for (const [input, errcode, error] of cases) {
      expect(await post(`${rtc.url}/get_token`, input)).toMatchObject({
        status: 400,
        json: { errcode, error },
      });
    }
    expect(await post(`${rtc.url}/sfu/get`, { openid_token: body().openid_token })).toMatchObject({
      status: 400,
      json: { errcode: 'M_BAD_JSON', error: 'Missing room parameter' },
    });
    expect(await post(`${rtc.url}/delegate_delayed_leave`, body())).toMatchObject({
      status: 400,
      json: { errcode: 'M_BAD_JSON', error: 'The request body is missing `delay_id` or `delay_timeout`' },
    });
    expect(hs.requests).toEqual([]);
  });

  it('ignores unknown fields (lk-jwt-service refused them and broke Element Call)', async () => {
    hs.handle(answerSub('@alice:hs.test'));
    const res = await post(`${rtc.url}/get_token`, {
      ...body(),
      future_field: { x: 1 },
      member: { ...body().member, extra: true },
    });
    expect(res.status).toBe(200);
  });

  it('answers 401 within its timeout when the homeserver is slow, down or talks nonsense — never 5xx', async () => {
    const faults: [string, () => void][] = [
      [
        'slow',
        () => {
          hs.handle(() => undefined);
        },
      ],
      [
        'garbage',
        () => {
          hs.handle((_req, res) => res.writeHead(200).end('<html>not json'));
        },
      ],
      [
        '500',
        () => {
          hs.handle((_req, res) => res.writeHead(500).end('{}'));
        },
      ],
      [
        'wrong sub',
        () => {
          hs.handle(answerSub('@alice:evil.test'));
        },
      ],
      [
        'no sub',
        () => {
          hs.handle(answerSub(undefined));
        },
      ],
    ];
    for (const [name, setup] of faults) {
      setup();
      const started = Date.now();
      const token = { ...body().openid_token, access_token: `tok-${name}` };
      const res = await post(`${rtc.url}/get_token`, body({ openid_token: token }));
      expect({ name, status: res.status, json: res.json }).toEqual({
        name,
        status: 401,
        json: { errcode: 'M_UNAUTHORIZED', error: 'The request could not be authorised.' },
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const down = await post(
      `${rtc.url}/get_token`,
      body({ openid_token: { access_token: 't', matrix_server_name: 'down.test' } }),
    );
    expect(down).toMatchObject({ status: 401, json: { errcode: 'M_UNAUTHORIZED' } });
  });

  it('looks a token up once however many identical requests arrive together, then serves it from cache', async () => {
    hs.requests.length = 0;
    hs.handle((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"sub":"@alice:hs.test"}');
      }, 100);
    });
    const token = { ...body().openid_token, access_token: 'shared-token' };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(`${rtc.url}/get_token`, body({ openid_token: token }))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array<number>(8).fill(200));
    expect((await post(`${rtc.url}/get_token`, body({ openid_token: token }))).status).toBe(200);
    expect(hs.requests.filter((r) => r.path === USERINFO)).toHaveLength(1);
  });

  it('never answers a fuzzed body with a 5xx', async () => {
    hs.handle(answerSub('@alice:hs.test'));
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1.5,
      1e308,
      '',
      'x'.repeat(5000),
      [],
      [1],
      {},
      { a: null },
      '\u0000',
      '😀',
    ];
    const pick = (): unknown => values[Math.floor(Math.random() * values.length)];
    const fields = [
      'room_id',
      'slot_id',
      'openid_token',
      'member',
      'delay_id',
      'delay_timeout',
      'room',
      'device_id',
    ];
    const paths = ['/get_token', '/sfu/get', '/delegate_delayed_leave'];
    for (let i = 0; i < 150; i++) {
      const input: Record<string, unknown> = body();
      for (const f of fields) if (Math.random() < 0.3) input[f] = pick();
      if (Math.random() < 0.2) input['openid_token'] = { ...body().openid_token, expires_in: pick() };
      if (Math.random() < 0.2) input['member'] = { ...body().member, claimed_user_id: pick() };
      const path = paths[i % 3] ?? '/get_token';
      const json = JSON.stringify(input);
      const raw = Math.random() < 0.1 ? json.slice(0, Math.floor(Math.random() * 80)) : json;
      const res = await post(`${rtc.url}${path}`, raw);
      expect({ path, raw, below500: res.status < 500 }).toEqual({ path, raw, below500: true });
    }
  });
  it('refuses unknown fields with M_NOT_JSON only when RTC_STRICT_UNKNOWN_FIELDS is on', async () => {
    const withExtra = body({ extra: 1 });
    // Lenient (the default, as lk-jwt-service): the extra field is ignored and the token minted.
    expect((await post(`${rtc.url}/get_token`, withExtra)).status).toBe(200);
    const strict = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      RTC_STRICT_UNKNOWN_FIELDS: 'true',
      RTC_RATE_LIMIT_PER_USER: '0',
    });
    try {
      expect(await post(`${strict.url}/get_token`, withExtra)).toMatchObject({
        status: 400,
        json: { errcode: 'M_NOT_JSON', error: 'Error reading request' },
      });
      expect((await post(`${strict.url}/get_token`, body())).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});
