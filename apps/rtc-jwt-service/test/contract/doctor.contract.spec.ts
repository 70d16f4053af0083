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
    expect(findings.map((f) => f.text.split(':')[0])).toEqual(['livekit', 'membership', 'transports']);
  });

  it('names a wrong transport URL', async () => {
    expect(failures(await doctor({}, 'https://other.example.test'))).toEqual([
      `transports: the homeserver advertises ${SERVICE_URL}, not https://other.example.test: fix matrix_rtc.transports`,
    ]);
  });

  it('names a key LiveKit refuses', async () => {
    const [line, ...rest] = failures(await doctor({ LIVEKIT_SECRET: 'another-secret-another-secret-12' }));
    expect(line).toMatch(
      /^livekit: .* refused key devkey: LIVEKIT_KEY\/LIVEKIT_SECRET must be one of the SFU's keys/,
    );
    expect(rest).toEqual([]);
  });

  it('names a LiveKit that is down', async () => {
    const down = `ws://127.0.0.1:${String(await unusedPort())}`;
    const [line, ...rest] = failures(await doctor({ LIVEKIT_URL: down }));
    expect(line).toMatch(new RegExp(`^livekit: ${down} is unreachable \\(.+\\): check LIVEKIT_URL`));
    expect(rest).toEqual([]);
  });

  it('names a missing scope and an unknown token', async () => {
    expect(failures(await doctor({ LIVEKIT_AS_TOKEN: scopelessToken }))).toEqual([
      'membership: localhost refused is_joined: the registration lacks the scope urn:matrix:client:io.element.msc4502:rooms:is_joined (io.element.msc4502.scopes)',
    ]);
    const unknown = failures(await doctor({ LIVEKIT_AS_TOKEN: newAppServiceToken() }));
    expect(unknown[0]).toMatch(/^membership: localhost does not know our as_token \(M_UNKNOWN_TOKEN\)/);
  });
});
