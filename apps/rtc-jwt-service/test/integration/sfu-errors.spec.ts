import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLiveKit, LIVEKIT_FAULTS } from '../fakes/fake-livekit';
import { answerSub, startFakeHomeserver, unusedPort, type FakeHomeserver } from '../fakes/fake-homeserver';
import { post, startRtc, type RtcUnderTest } from '../support/start-rtc';

// "Unable to create room on SFU" used to be all a client (and so the operator reading its error dialog)
// learnt. The status and errcode stay lk-jwt-service's (500 M_UNKNOWN, its text first); the rest of the
// text names the cause. The faults are the fake LiveKit's, answered as LiveKit answers them.
describe('SFU errors on the token path', () => {
  let hs: FakeHomeserver;
  let livekit: FakeLiveKit;
  const apps: RtcUnderTest[] = [];

  beforeAll(async () => {
    hs = await startFakeHomeserver();
    hs.handle(answerSub('@alice:hs.test'));
    livekit = await new FakeLiveKit().start();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await livekit.stop();
    await hs.close();
  });

  const start = async (env: Record<string, string> = {}): Promise<RtcUnderTest> => {
    const app = await startRtc({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_KEY: livekit.key,
      LIVEKIT_SECRET: livekit.secret,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'hs.test',
      LIVEKIT_FEDERATION_URL_OVERRIDES: `hs.test=${hs.baseUrl}`,
      RTC_RATE_LIMIT_PER_IP: '0',
      RTC_RATE_LIMIT_PER_USER: '0',
      ...env,
    });
    apps.push(app);
    return app;
  };
  const getToken = (app: RtcUnderTest) =>
    post(`${app.url}/get_token`, {
      room_id: '!r:hs.test',
      slot_id: 'm.call#ROOM',
      openid_token: { access_token: 'tok', matrix_server_name: 'hs.test' },
      member: { id: 'm1', claimed_user_id: '@alice:hs.test', claimed_device_id: 'DEV' },
    });

  it('says the SFU is unreachable when nothing answers at LIVEKIT_URL', async () => {
    const app = await start({ LIVEKIT_URL: `ws://127.0.0.1:${String(await unusedPort())}` });
    expect(await getToken(app)).toMatchObject({
      status: 500,
      json: {
        errcode: 'M_UNKNOWN',
        error:
          'Unable to create room on SFU: the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running',
      },
    });
  });

  it('says the SFU refused the key when the secret does not match', async () => {
    const app = await start({ LIVEKIT_SECRET: 'not-the-sfu-secret-not-the-sfu-secret' });
    expect(await getToken(app)).toMatchObject({
      status: 500,
      json: {
        errcode: 'M_UNKNOWN',
        error:
          "Unable to create room on SFU: the SFU refused the service's API key (401 unauthenticated): LIVEKIT_KEY/LIVEKIT_SECRET must be one of LiveKit's keys",
      },
    });
  });

  it('says the SFU is out of capacity on a room limit or when no node takes the room', async () => {
    const app = await start();
    try {
      livekit.faults.set('CreateRoom', LIVEKIT_FAULTS.roomLimit);
      expect(await getToken(app)).toMatchObject({
        status: 500,
        json: {
          errcode: 'M_UNKNOWN',
          error:
            "Unable to create room on SFU: the SFU is out of capacity (429 resource_exhausted): raise LiveKit's room and participant limits or add nodes",
        },
      });
      livekit.faults.set('CreateRoom', LIVEKIT_FAULTS.noNode);
      expect((await getToken(app)).json).toMatchObject({
        error: expect.stringContaining('the SFU is out of capacity (503 unavailable)') as unknown,
      });
    } finally {
      livekit.faults.clear();
    }
  });

  it('passes any other answer on by status and code, and succeeds once LiveKit recovers', async () => {
    const app = await start();
    livekit.faults.set('CreateRoom', LIVEKIT_FAULTS.internal);
    try {
      expect(await getToken(app)).toMatchObject({
        status: 500,
        json: {
          errcode: 'M_UNKNOWN',
          error: 'Unable to create room on SFU: the SFU answered 500 internal: see the LiveKit server log',
        },
      });
    } finally {
      livekit.faults.clear();
    }
    expect((await getToken(app)).status).toBe(200);
  });

  it('counts each failed CreateRoom in rtc_create_room_errors_total by its cause', async () => {
    // A LiveKit of its own, stopped last for the unreachable cause.
    const own = await new FakeLiveKit().start();
    try {
      const app = await start({
        LIVEKIT_URL: own.url,
        LIVEKIT_KEY: own.key,
        LIVEKIT_SECRET: own.secret,
        RTC_METRICS_BIND: '127.0.0.1:0',
      });
      const faults = {
        'key-refused': { status: 401, code: 'unauthenticated', msg: 'invalid token' },
        exhausted: LIVEKIT_FAULTS.roomLimit,
        other: LIVEKIT_FAULTS.internal,
      };
      for (const fault of Object.values(faults)) {
        own.faults.set('CreateRoom', fault);
        expect((await getToken(app)).status).toBe(500);
      }
      own.faults.clear();
      expect((await getToken(app)).status).toBe(200);
      await own.stop();
      expect((await getToken(app)).json).toMatchObject({
        error: expect.stringContaining('the SFU is unreachable') as unknown,
      });
      const metrics = await (await fetch(`${app.metricsUrl ?? ''}/metrics`)).text();
      const counted = metrics
        .split('\n')
        .filter((line) => line.startsWith('rtc_create_room_errors_total{'))
        .sort();
      expect(counted).toEqual([
        'rtc_create_room_errors_total{cause="exhausted"} 1',
        'rtc_create_room_errors_total{cause="key-refused"} 1',
        'rtc_create_room_errors_total{cause="other"} 1',
        'rtc_create_room_errors_total{cause="unreachable"} 1',
      ]);
    } finally {
      await own.stop();
    }
  });
});
