import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { loadRtcConfig } from '../../src/config';
import { runDoctor, type DoctorFinding } from '../../src/doctor/doctor';
import { newAppServiceToken, renderRegistration } from '../../src/membership/appservice-registration';
import { FakeLiveKit } from '../fakes/fake-livekit';
import { unusedPort } from '../fakes/fake-homeserver';

const SERVICE_URL = 'https://rtc.example.test';

// `cli.js doctor` against a real Synapse and the fake LiveKit: each broken link gets its own line.
describe('doctor against Synapse', () => {
  let synapse: Synapse;
  let livekit: FakeLiveKit;
  const asToken = newAppServiceToken();
  const scopelessToken = newAppServiceToken();

  beforeAll(async () => {
    livekit = await new FakeLiveKit().start();
    // A second registration without the MSC4502 scope, as an operator might have written by hand.
    const scopeless = renderRegistration({
      asToken: scopelessToken,
      id: 'no-scope',
      senderLocalpart: 'no-scope',
    })
      .split('\n')
      .filter((line) => !line.includes('msc4502'))
      .join('\n');
    synapse = await startSynapse({
      mode: 'plain',
      msc4502: true,
      rtcServiceUrls: [SERVICE_URL],
      // What ess-helm publishes beside matrix_rtc.transports, for clients that read the well-known.
      extra: {
        extra_well_known_client_content: {
          'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: SERVICE_URL }],
        },
      },
      appServiceRegistrations: [renderRegistration({ asToken }), scopeless],
    });
  });
  afterAll(async () => {
    await livekit.stop();
    await synapse.stop();
  });

  const doctor = (env: Record<string, string> = {}, serviceUrl = SERVICE_URL): Promise<DoctorFinding[]> =>
    runDoctor(
      loadRtcConfig({
        LIVEKIT_URL: livekit.url,
        LIVEKIT_KEY: livekit.key,
        LIVEKIT_SECRET: livekit.secret,
        LIVEKIT_FULL_ACCESS_HOMESERVERS: 'localhost',
        LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${synapse.baseUrl}`,
        LIVEKIT_AS_TOKEN: asToken,
        LIVEKIT_HS_TOKEN: 'unused',
        LIVEKIT_HS_SERVER_NAME: 'localhost',
        ...env,
      }),
      { serviceUrl, livekitTimeoutSeconds: 2 },
    );
  const failures = (findings: DoctorFinding[]): string[] => findings.filter((f) => !f.ok).map((f) => f.text);

  it('passes a working deployment', async () => {
    const findings = await doctor();
    expect(failures(findings)).toEqual([]);
    expect(findings.map((f) => f.text.split(':')[0])).toEqual([
      'livekit',
      'homeserver',
      'membership',
      'transports',
      'well-known',
    ]);
    expect(findings.map((f) => f.text)).toEqual([
      `livekit: ${livekit.url} answers ListRooms with key devkey`,
      `homeserver: localhost's client-server API at ${synapse.baseUrl} answers`,
      'membership: localhost answers is_joined to our application service',
      `transports: the homeserver advertises ${SERVICE_URL}`,
      `well-known: org.matrix.msc4143.rtc_foci at ${synapse.baseUrl}/.well-known/matrix/client (the LIVEKIT_CS_API_URL_OVERRIDES target) names ${SERVICE_URL}`,
    ]);
  });

  it('names a wrong transport URL, in /rtc/transports and in the well-known rtc_foci', async () => {
    expect(failures(await doctor({}, 'https://other.example.test'))).toEqual([
      `transports: the homeserver advertises ${SERVICE_URL}, not https://other.example.test: fix matrix_rtc.transports`,
      `well-known: org.matrix.msc4143.rtc_foci at ${synapse.baseUrl}/.well-known/matrix/client (the LIVEKIT_CS_API_URL_OVERRIDES target) names ${SERVICE_URL}, not https://other.example.test: fix its livekit_service_url`,
    ]);
  });

  it('names a key LiveKit refuses', async () => {
    const [line, ...rest] = failures(await doctor({ LIVEKIT_SECRET: 'another-secret-another-secret-12' }));
    expect(line).toBe(
      `livekit: LiveKit at ${livekit.url} refused key devkey: LIVEKIT_KEY/LIVEKIT_SECRET must be one of the SFU's keys (its keys: setting)`,
    );
    expect(rest).toEqual([]);
  });

  it('names a LiveKit that is down', async () => {
    const down = `ws://127.0.0.1:${String(await unusedPort())}`;
    const [line, ...rest] = failures(await doctor({ LIVEKIT_URL: down }));
    expect(line).toBe(
      `livekit: LiveKit at ${down}: the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running`,
    );
    expect(rest).toEqual([]);
  });

  it('names a homeserver that does not answer, and checks nothing behind it', async () => {
    const nowhere = `http://127.0.0.1:${String(await unusedPort())}`;
    expect(failures(await doctor({ LIVEKIT_CS_API_URL_OVERRIDES: `localhost=${nowhere}` }))).toEqual([
      `homeserver: localhost's client-server API at ${nowhere} is unreachable (network): check LIVEKIT_CS_API_URL_OVERRIDES or .well-known/matrix/client`,
    ]);
  });

  it('names a missing scope and an unknown token', async () => {
    expect(failures(await doctor({ LIVEKIT_AS_TOKEN: scopelessToken }))).toEqual([
      'membership: localhost refused is_joined: the registration lacks the scope urn:matrix:client:io.element.msc4502:rooms:is_joined (io.element.msc4502.scopes)',
    ]);
    const unknown = failures(await doctor({ LIVEKIT_AS_TOKEN: newAppServiceToken() }));
    expect(unknown[0]).toMatch(/^membership: localhost does not know our as_token \(M_UNKNOWN_TOKEN\)/);
  });
});
