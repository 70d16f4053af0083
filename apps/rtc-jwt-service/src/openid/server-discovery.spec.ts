import { describe, expect, it } from 'vitest';
import type { HttpGet, HttpGetRequest, HttpGetResponse } from './federation-http';
import { parseFederationUrlOverrides } from './federation-url-overrides';
import { InvalidServerNameError, orderSrv, ServerDiscovery, type SrvRecord } from './server-discovery';
import { SsrfGuard } from '@gateway/http';

interface Fakes {
  wellKnown?: Record<string, HttpGetResponse>;
  srv?: Record<string, SrvRecord[]>;
  overrides?: string;
}

function discovery(fakes: Fakes = {}, clock = { now: 0 }) {
  const httpCalls: HttpGetRequest[] = [];
  const srvCalls: string[] = [];
  const http: HttpGet = (req) => {
    httpCalls.push(req);
    const answer = fakes.wellKnown?.[req.url.hostname];
    return answer ? Promise.resolve(answer) : Promise.reject(new Error('ECONNREFUSED'));
  };
  const resolveSrv = (name: string) => {
    srvCalls.push(name);
    const records = fakes.srv?.[name];
    return records
      ? Promise.resolve(records)
      : Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  };
  const sut = new ServerDiscovery({
    guard: new SsrfGuard({ resolve: () => Promise.resolve([{ address: '93.184.216.34', family: 4 }]) }),
    overrides: parseFederationUrlOverrides(fakes.overrides),
    http,
    resolveSrv,
    clock: () => clock.now,
  });
  const resolve = (name: string) => sut.resolve(name, AbortSignal.timeout(1000));
  return { resolve, httpCalls, srvCalls };
}

const delegation = (server: string, cacheControl?: string): HttpGetResponse => ({
  status: 200,
  headers: cacheControl === undefined ? {} : { 'cache-control': cacheControl },
  body: JSON.stringify({ 'm.server': server }),
});

describe(ServerDiscovery.name, () => {
  it('uses an override first, even for names discovery would refuse', async () => {
    const { resolve, httpCalls } = discovery({
      overrides: 'localhost=http://127.0.0.1:18448,[::1]:8448=http://[::1]:9',
    });
    expect(await resolve('localhost')).toEqual([
      {
        baseUrl: 'http://127.0.0.1:18448',
        hostHeader: '127.0.0.1:18448',
        tlsServerName: '127.0.0.1',
        source: 'override',
      },
    ]);
    expect((await resolve('[::1]:8448'))[0]?.baseUrl).toBe('http://[::1]:9');
    expect(httpCalls).toHaveLength(0);
  });

  it('connects to IP literals directly, port 8448 by default, without SNI', async () => {
    const { resolve, httpCalls, srvCalls } = discovery();
    expect(await resolve('1.2.3.4')).toEqual([
      { baseUrl: 'https://1.2.3.4:8448', hostHeader: '1.2.3.4', tlsServerName: null, source: 'ip-literal' },
    ]);
    expect(await resolve('[2001:db8::1]:443')).toEqual([
      {
        baseUrl: 'https://[2001:db8::1]:443',
        hostHeader: '[2001:db8::1]:443',
        tlsServerName: null,
        source: 'ip-literal',
      },
    ]);
    expect(httpCalls.length + srvCalls.length).toBe(0);
  });

  it('connects to an explicit port directly, with the host as SNI', async () => {
    const { resolve, httpCalls } = discovery();
    expect(await resolve('example.com:8000')).toEqual([
      {
        baseUrl: 'https://example.com:8000',
        hostHeader: 'example.com:8000',
        tlsServerName: 'example.com',
        source: 'explicit-port',
      },
    ]);
    expect(httpCalls).toHaveLength(0);
  });

  it('follows a .well-known delegation with a port', async () => {
    const { resolve, srvCalls } = discovery({
      wellKnown: { 'example.com': delegation('matrix.example.net:443') },
    });
    expect(await resolve('example.com')).toEqual([
      {
        baseUrl: 'https://matrix.example.net:443',
        hostHeader: 'matrix.example.net:443',
        tlsServerName: 'matrix.example.net',
        source: 'well-known',
      },
    ]);
    expect(srvCalls).toHaveLength(0);
  });

  it('looks up SRV for a delegated name without a port, keeping its Host and TLS name', async () => {
    const { resolve } = discovery({
      wellKnown: { 'example.com': delegation('matrix.example.net') },
      srv: {
        '_matrix-fed._tcp.matrix.example.net': [
          { name: 'fed1.example.net.', port: 8443, priority: 10, weight: 5 },
        ],
      },
    });
    expect(await resolve('example.com')).toEqual([
      {
        baseUrl: 'https://fed1.example.net:8443',
        hostHeader: 'matrix.example.net',
        tlsServerName: 'matrix.example.net',
        source: 'srv',
      },
    ]);
  });

  it('uses port 8448 of a delegated name without SRV records', async () => {
    const { resolve } = discovery({ wellKnown: { 'example.com': delegation('matrix.example.net') } });
    expect(await resolve('example.com')).toEqual([
      {
        baseUrl: 'https://matrix.example.net:8448',
        hostHeader: 'matrix.example.net',
        tlsServerName: 'matrix.example.net',
        source: 'well-known',
      },
    ]);
  });

  it('falls back to _matrix-fed, then the deprecated _matrix SRV, then port 8448', async () => {
    const fed = discovery({
      srv: { '_matrix-fed._tcp.example.com': [{ name: 'a.example.com', port: 1, priority: 0, weight: 0 }] },
    });
    expect((await fed.resolve('example.com'))[0]).toMatchObject({
      baseUrl: 'https://a.example.com:1',
      hostHeader: 'example.com',
      source: 'srv',
    });
    const legacy = discovery({
      srv: { '_matrix._tcp.example.com': [{ name: 'b.example.com', port: 2, priority: 0, weight: 0 }] },
    });
    expect((await legacy.resolve('example.com'))[0]?.baseUrl).toBe('https://b.example.com:2');
    expect(legacy.srvCalls).toEqual(['_matrix-fed._tcp.example.com', '_matrix._tcp.example.com']);
    const none = discovery();
    expect(await none.resolve('example.com')).toEqual([
      {
        baseUrl: 'https://example.com:8448',
        hostHeader: 'example.com',
        tlsServerName: 'example.com',
        source: 'default',
      },
    ]);
  });

  it('caches .well-known per Cache-Control within bounds, and failures briefly', async () => {
    const clock = { now: 0 };
    const cached = discovery(
      { wellKnown: { 'example.com': delegation('hs.example.com:443', 'max-age=7200') } },
      clock,
    );
    await cached.resolve('example.com');
    clock.now += 2 * 3_600_000 - 1;
    await cached.resolve('example.com');
    expect(cached.httpCalls).toHaveLength(1);
    clock.now += 1;
    await cached.resolve('example.com');
    expect(cached.httpCalls).toHaveLength(2);

    const failing = discovery({}, clock);
    await failing.resolve('down.example');
    await failing.resolve('down.example');
    expect(failing.httpCalls).toHaveLength(1);
    clock.now += 2 * 60_000;
    await failing.resolve('down.example');
    expect(failing.httpCalls).toHaveLength(2);
  });

  it('fetches .well-known once for concurrent requests', async () => {
    const { resolve, httpCalls } = discovery({
      wellKnown: { 'example.com': delegation('hs.example.com:443') },
    });
    await Promise.all([resolve('example.com'), resolve('example.com'), resolve('example.com')]);
    expect(httpCalls).toHaveLength(1);
  });

  it('applies the SSRF policy to the .well-known request', async () => {
    const { resolve, httpCalls } = discovery();
    await resolve('example.com');
    expect(httpCalls[0]?.policy).not.toBeNull();
  });

  it.each(['', 'bad host', 'example.com:0', '[zz]:1', 'a/b'])(
    'refuses the invalid server name %j',
    async (name) => {
      const { resolve } = discovery();
      await expect(resolve(name)).rejects.toBeInstanceOf(InvalidServerNameError);
    },
  );
});

describe(orderSrv.name, () => {
  it('orders by priority then weight, drops "." targets and caps the list', () => {
    const records = [
      { name: 'c.', port: 3, priority: 20, weight: 0 },
      { name: 'a.', port: 1, priority: 10, weight: 1 },
      { name: 'b.', port: 2, priority: 10, weight: 9 },
      { name: '.', port: 0, priority: 0, weight: 0 },
      ...Array.from({ length: 10 }, (_, i) => ({ name: `z${i}`, port: 9, priority: 99, weight: 0 })),
    ];
    const ordered = orderSrv(records);
    expect(ordered.map((r) => r.name)).toEqual(['b', 'a', 'c', 'z0', 'z1']);
  });
});
