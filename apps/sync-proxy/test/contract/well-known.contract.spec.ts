import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSynapse, type Synapse } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const RTC = 'http://127.0.0.1:8070';
const FOCI = [{ type: 'livekit', livekit_service_url: RTC }];

// The proxy's own client well-known document in front of a real Synapse 1.160, checked as a client
// does it: matrix-js-sdk's AutoDiscovery validates the document and the homeserver behind base_url.
describe('/.well-known/matrix/client from the sync-proxy, with Synapse behind it', () => {
  let synapse: Synapse;
  let bare: Synapse;
  let proxy: ProxyUnderTest;
  let proxyOnBare: ProxyUnderTest;
  let publicUrl: string;

  beforeAll(async () => {
    // One Synapse that serves its own well-known (it does whenever public_baseurl is set), with an extra
    // key a deployment might add…
    synapse = await startSynapse({
      mode: 'plain',
      extra: { extra_well_known_client_content: { 'io.element.e2ee': { default: false } } },
    });
    // …and one that serves none: without public_baseurl Synapse has no client well-known.
    bare = await startSynapse({ mode: 'plain', extra: { public_baseurl: null } });
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    proxy = await startProxy(synapse.baseUrl, {
      SYNCV3_BINDADDR: `127.0.0.1:${port}`,
      SYNCV3_PUBLIC_URL: publicUrl,
      SYNCV3_LIVEKIT_SERVICE_URL: RTC,
    });
    proxyOnBare = await startProxy(bare.baseUrl, { SYNCV3_PUBLIC_URL: 'https://matrix.example.org' });
  });
  afterAll(async () => {
    await proxy.stop();
    await proxyOnBare.stop();
    await synapse.stop();
    await bare.stop();
  });

  it("keeps Synapse's keys, names the proxy as the homeserver and adds the RTC focus", async () => {
    const direct = (await (await fetch(`${synapse.baseUrl}/.well-known/matrix/client`)).json()) as Record<
      string,
      unknown
    >;
    expect(direct['m.homeserver']).toEqual({ base_url: `${synapse.baseUrl}/` });
    const res = await fetch(`${proxy.url}/.well-known/matrix/client`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({
      ...direct,
      'm.homeserver': { base_url: publicUrl },
      'org.matrix.msc4143.rtc_foci': FOCI,
    });
  });

  it('passes matrix-js-sdk AutoDiscovery: the base URL answers /versions with sliding sync', async () => {
    const { AutoDiscovery } = await import('matrix-js-sdk-37/lib/autodiscovery.js');
    const doc = (await (await fetch(`${proxy.url}/.well-known/matrix/client`)).json()) as Record<
      string,
      never
    >;
    const config = await AutoDiscovery.fromDiscoveryConfig(doc);
    expect(config['m.homeserver']).toMatchObject({ state: AutoDiscovery.SUCCESS, base_url: publicUrl });
    expect(config['org.matrix.msc4143.rtc_foci']).toEqual(FOCI);
    const versions = (await (await fetch(`${publicUrl}/_matrix/client/versions`)).json()) as {
      unstable_features: Record<string, boolean>;
    };
    expect(versions.unstable_features['org.matrix.simplified_msc3575']).toBe(true);
  });

  it('builds the document itself when Synapse serves none', async () => {
    expect((await fetch(`${bare.baseUrl}/.well-known/matrix/client`)).status).toBe(404);
    const res = await fetch(`${proxyOnBare.url}/.well-known/matrix/client`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ 'm.homeserver': { base_url: 'https://matrix.example.org' } });
  });
});
