import { MatrixError } from '@gateway/matrix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenIdCredentials } from '../request/request-body';
import { parseFederationUrlOverrides } from './federation-url-overrides';
import { OpenIdVerifier, UNAUTHORISED_MESSAGE, type OpenIdVerifierOptions } from './openid-verifier';
import { ServerDiscovery, type FederationTarget } from './server-discovery';
import { SsrfGuard } from '@gateway/http';
import { MemoryUserInfoCache, type UserInfoCache } from './userinfo-cache';
import {
  answerSub,
  startFakeHomeserver,
  unusedPort,
  type FakeHomeserver,
} from '../../test/fakes/fake-homeserver';

let hs: FakeHomeserver;
let tlsHs: FakeHomeserver;

beforeAll(async () => {
  hs = await startFakeHomeserver();
  tlsHs = await startFakeHomeserver({ tls: true });
});
afterAll(async () => {
  await hs.close();
  await tlsHs.close();
});
afterEach(() => {
  hs.handle(answerSub('@alice:localhost'));
  hs.requests.length = 0;
  tlsHs.requests.length = 0;
});

const token = (overrides: Partial<OpenIdCredentials> = {}): OpenIdCredentials => ({
  accessToken: 'openid-token',
  matrixServerName: 'localhost',
  tokenType: 'Bearer',
  expiresInSeconds: 3600,
  ...overrides,
});

// Loopback DNS answers for every name, so the SSRF guard has something to refuse.
const loopbackDns = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

function verifier(
  options: Partial<OpenIdVerifierOptions> & { allow?: string[]; insecure?: boolean } = {},
): OpenIdVerifier {
  const guard = new SsrfGuard({ resolve: loopbackDns, allowedServerNames: options.allow ?? [] });
  const resolver = new ServerDiscovery({
    guard,
    overrides: parseFederationUrlOverrides(`localhost=${hs.baseUrl},other.example=${hs.baseUrl}`),
    resolveSrv: () => Promise.resolve([]),
    insecureSkipVerifyTls: options.insecure ?? false,
  });
  return new OpenIdVerifier({
    resolver,
    guard,
    cache: new MemoryUserInfoCache(),
    totalTimeoutMs: 500,
    connectTimeoutMs: 300,
    insecureSkipVerifyTls: options.insecure ?? false,
    ...options,
  });
}

async function expectUnauthorised(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MatrixError);
  expect(error).toMatchObject({ status: 401, errcode: 'M_UNAUTHORIZED', message: UNAUTHORISED_MESSAGE });
  expect(UNAUTHORISED_MESSAGE).toBe('The request could not be authorised.');
}

describe(OpenIdVerifier.name, () => {
  it('returns the user the homeserver vouches for, asking the userinfo endpoint with the token in the query', async () => {
    await expect(verifier().verify(token(), '@alice:localhost')).resolves.toBe('@alice:localhost');
    expect(hs.requests).toHaveLength(1);
    const [request] = hs.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/_matrix/federation/v1/openid/userinfo');
    expect(request?.query.get('access_token')).toBe('openid-token');
  });

  it('works without a claimed user (the /sfu/get case)', async () => {
    await expect(verifier().verify(token())).resolves.toBe('@alice:localhost');
  });

  it('refuses a claimed user that differs from sub', async () => {
    await expectUnauthorised(verifier().verify(token(), '@mallory:localhost'));
  });

  it('refuses a sub on another server than matrix_server_name', async () => {
    hs.handle(answerSub('@alice:other.example'));
    await expectUnauthorised(verifier().verify(token(), '@alice:other.example'));
  });

  it('compares the server part exactly (no port or case games)', async () => {
    hs.handle(answerSub('@alice:localhost:8448'));
    await expectUnauthorised(verifier().verify(token()));
    hs.handle(answerSub('@alice:LOCALHOST'));
    await expectUnauthorised(verifier().verify(token()));
  });

  it.each([
    ['401 M_UNKNOWN_TOKEN', 401, '{"errcode":"M_UNKNOWN_TOKEN","error":"Access Token unknown or expired"}'],
    ['500', 500, '{}'],
    ['a redirect', 302, ''],
    ['garbage', 200, '<html>not json</html>'],
    ['a JSON string', 200, '"@alice:localhost"'],
    ['no sub', 200, '{"user":"@alice:localhost"}'],
    ['a non-string sub', 200, '{"sub":42}'],
    ['a sub that is not a user id', 200, '{"sub":"alice"}'],
    ['a huge body', 200, JSON.stringify({ sub: '@alice:localhost', pad: 'x'.repeat(200_000) })],
  ])('answers 401 for %s', async (_label, status, body) => {
    hs.handle((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await expectUnauthorised(verifier().verify(token()));
  });

  it('answers 401 for a homeserver that never answers, within the deadline', async () => {
    hs.handle(() => undefined);
    const started = Date.now();
    await expectUnauthorised(verifier({ totalTimeoutMs: 200 }).verify(token()));
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('answers 401 for a homeserver that is down', async () => {
    const down = `http://127.0.0.1:${await unusedPort()}`;
    const guard = new SsrfGuard();
    const resolver = new ServerDiscovery({
      guard,
      overrides: parseFederationUrlOverrides(`localhost=${down}`),
    });
    await expectUnauthorised(new OpenIdVerifier({ resolver, guard }).verify(token()));
  });

  it('answers 401 without any request for an invalid server name', async () => {
    await expectUnauthorised(verifier().verify(token({ matrixServerName: 'bad name/x' })));
    expect(hs.requests).toHaveLength(0);
  });

  it('refuses loopback targets that are neither overridden nor allow-listed, without a request', async () => {
    await expectUnauthorised(verifier().verify(token({ matrixServerName: `127.0.0.1:${hs.port}` })));
    await expectUnauthorised(verifier().verify(token({ matrixServerName: `sneaky.example:${hs.port}` })));
    expect(hs.requests).toHaveLength(0);
  });

  it('reaches an allow-listed IP-literal homeserver over TLS only when told to skip verification', async () => {
    const serverName = `127.0.0.1:${tlsHs.port}`;
    tlsHs.handle(answerSub(`@alice:${serverName}`));
    await expectUnauthorised(
      verifier({ allow: [serverName] }).verify(token({ matrixServerName: serverName })),
    );
    expect(tlsHs.requests).toHaveLength(0);
    const insecure = verifier({ allow: [serverName], insecure: true });
    await expect(insecure.verify(token({ matrixServerName: serverName }))).resolves.toBe(
      `@alice:${serverName}`,
    );
    expect(tlsHs.requests.at(-1)?.host).toBe(serverName);
  });

  it('tries the next target when one is unreachable', async () => {
    const guard = new SsrfGuard({ enabled: false });
    const target = (baseUrl: string): FederationTarget => ({
      baseUrl,
      hostHeader: 'localhost',
      tlsServerName: null,
      source: 'srv',
    });
    const resolver = {
      resolve: async () => [target(`http://127.0.0.1:${await unusedPort()}`), target(hs.baseUrl)],
    };
    await expect(new OpenIdVerifier({ resolver, guard }).verify(token())).resolves.toBe('@alice:localhost');
  });

  it('caches successes, bounded by expires_in', async () => {
    let now = 0;
    const sut = verifier({ cache: new MemoryUserInfoCache({ clock: () => now }) });
    await sut.verify(token({ expiresInSeconds: 60 }));
    await sut.verify(token({ expiresInSeconds: 60 }), '@alice:localhost');
    expect(hs.requests).toHaveLength(1);
    now = 60_000;
    await sut.verify(token({ expiresInSeconds: 60 }));
    expect(hs.requests).toHaveLength(2);
  });

  it('caps the cache lifetime whatever expires_in claims, and uses the default without it', async () => {
    const ttls: number[] = [];
    const cache: UserInfoCache = {
      get: () => Promise.resolve(null),
      set: (_k, _v, ttl) => Promise.resolve(void ttls.push(ttl)),
    };
    const sut = verifier({ cache, maxCacheTtlMs: 300_000, defaultCacheTtlMs: 120_000 });
    await sut.verify(token({ expiresInSeconds: 10_000_000 }));
    await sut.verify(token({ expiresInSeconds: null }));
    await sut.verify(token({ expiresInSeconds: 30 }));
    expect(ttls).toEqual([300_000, 120_000, 30_000]);
  });

  it('never caches failures', async () => {
    const sut = verifier();
    hs.handle(answerSub('@alice:localhost', 401));
    await expectUnauthorised(sut.verify(token()));
    hs.handle(answerSub('@alice:localhost'));
    await expect(sut.verify(token())).resolves.toBe('@alice:localhost');
    expect(hs.requests).toHaveLength(2);
  });

  it('does not reuse a cached user for the same token under another server name', async () => {
    const sut = verifier();
    await sut.verify(token());
    await expectUnauthorised(sut.verify(token({ matrixServerName: 'other.example' })));
    expect(hs.requests).toHaveLength(2);
  });

  it('still checks the claimed user on a cache hit', async () => {
    const sut = verifier();
    await sut.verify(token());
    await expectUnauthorised(sut.verify(token(), '@mallory:localhost'));
  });

  it('makes one request for concurrent identical lookups', async () => {
    hs.handle((_req, res) => {
      setTimeout(() => {
        answerSub('@alice:localhost')(_req, res);
      }, 50);
    });
    const sut = verifier({ cache: null });
    const results = await Promise.all(Array.from({ length: 5 }, () => sut.verify(token())));
    expect(results).toEqual(Array(5).fill('@alice:localhost'));
    expect(hs.requests).toHaveLength(1);
  });

  it('treats a cache that fails as a miss, and ignores poisoned entries', async () => {
    const broken: UserInfoCache = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    };
    await expect(verifier({ cache: broken }).verify(token())).resolves.toBe('@alice:localhost');
    // An entry naming a user on another server cannot be right for this key: ask the homeserver instead.
    const poisoned: UserInfoCache = {
      get: () => Promise.resolve('@mallory:evil.example'),
      set: () => Promise.resolve(),
    };
    await expect(verifier({ cache: poisoned }).verify(token())).resolves.toBe('@alice:localhost');
  });

  it('logs failures without the token', async () => {
    const lines: string[] = [];
    const logger = {
      warn: (ctx: Record<string, unknown>, msg: string) => void lines.push(JSON.stringify([ctx, msg])),
      debug: () => undefined,
    };
    hs.handle(answerSub('@alice:localhost', 403));
    await expectUnauthorised(verifier({ logger }).verify(token({ accessToken: 'very-secret' })));
    expect(lines.join('\n')).toContain('HTTP 403');
    expect(lines.join('\n')).not.toContain('very-secret');
  });
});
