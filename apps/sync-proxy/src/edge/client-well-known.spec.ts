import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientWellKnown, RTC_FOCI_KEY, UpstreamWellKnown } from './client-well-known';

describe('clientWellKnown', () => {
  const upstream = {
    'm.homeserver': { base_url: 'https://synapse.internal/' },
    'm.identity_server': { base_url: 'https://id.example.org' },
    'org.matrix.msc2965.authentication': { issuer: 'https://auth.example.org/' },
  };

  it('points m.homeserver at the proxy and keeps every other key', () => {
    expect(
      clientWellKnown(upstream, { publicUrl: 'https://matrix.example.org', livekitServiceUrl: undefined }),
    ).toEqual({ ...upstream, 'm.homeserver': { base_url: 'https://matrix.example.org' } });
  });

  it('adds the RTC focus, replacing the upstream one', () => {
    const doc = clientWellKnown(
      { ...upstream, [RTC_FOCI_KEY]: [{ type: 'livekit', livekit_service_url: 'https://old' }] },
      { publicUrl: 'https://matrix.example.org', livekitServiceUrl: 'https://rtc.example.org' },
    );
    expect(doc?.[RTC_FOCI_KEY]).toEqual([
      { type: 'livekit', livekit_service_url: 'https://rtc.example.org' },
    ]);
  });

  it('builds a document from nothing when the upstream has none', () => {
    expect(
      clientWellKnown(undefined, { publicUrl: 'https://m.example.org', livekitServiceUrl: 'https://rtc' }),
    ).toEqual({
      'm.homeserver': { base_url: 'https://m.example.org' },
      [RTC_FOCI_KEY]: [{ type: 'livekit', livekit_service_url: 'https://rtc' }],
    });
  });

  it('without a public URL keeps the upstream m.homeserver, and has nothing to say without one', () => {
    expect(clientWellKnown(upstream, { publicUrl: undefined, livekitServiceUrl: undefined })).toEqual(
      upstream,
    );
    expect(
      clientWellKnown(undefined, { publicUrl: undefined, livekitServiceUrl: 'https://rtc' }),
    ).toBeUndefined();
    expect(
      clientWellKnown(
        { 'm.homeserver': 'not an object' },
        { publicUrl: undefined, livekitServiceUrl: undefined },
      ),
    ).toBeUndefined();
  });
});

describe('UpstreamWellKnown', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  });

  async function upstream(
    answer: () => { status: number; body: string },
  ): Promise<{ url: string; hits: () => number }> {
    let hits = 0;
    server = createServer((req, res) => {
      hits++;
      const { status, body } = answer();
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
  }

  it('caches the document for a minute, then fetches again', async () => {
    let now = 1_000_000;
    const up = await upstream(() => ({ status: 200, body: '{"m.homeserver":{"base_url":"x"}}' }));
    const wk = new UpstreamWellKnown(up.url, () => now);
    const [a, b] = await Promise.all([wk.get(), wk.get()]);
    expect(a).toEqual({ 'm.homeserver': { base_url: 'x' } });
    expect(b).toBe(a);
    expect(up.hits()).toBe(1);
    now += 59_000;
    await wk.get();
    expect(up.hits()).toBe(1);
    now += 2_000;
    await wk.get();
    expect(up.hits()).toBe(2);
  });

  it.each([
    ['a 404', 404, '{"errcode":"M_NOT_FOUND"}'],
    ['a 500', 500, '{"m.homeserver":{"base_url":"x"}}'],
    ['malformed JSON', 200, '{"m.homeserver":'],
    ['a JSON array', 200, '[1,2]'],
    ['JSON null', 200, 'null'],
  ])('treats %s as no document', async (_name, status, body) => {
    const up = await upstream(() => ({ status, body }));
    expect(await new UpstreamWellKnown(up.url).get()).toBeUndefined();
  });

  it('treats an unreachable upstream as no document', async () => {
    const up = await upstream(() => ({ status: 200, body: '{}' }));
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
    expect(await new UpstreamWellKnown(up.url).get()).toBeUndefined();
  });
});
