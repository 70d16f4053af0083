import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHomeserver, unusedPort, type FakeHomeserver } from '../../test/fakes/fake-homeserver';
import { IsJoinedClient, MembershipUnknownError } from './is-joined-client';

describe('IsJoinedClient (MSC4502)', () => {
  let hs: FakeHomeserver;
  const answer = (status: number, body: string): void => {
    hs.handle((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
  };
  const client = (base: string | null = hs.baseUrl) =>
    new IsJoinedClient({ baseUrl: () => Promise.resolve(base), asToken: 'as-secret' });

  beforeEach(async () => {
    hs = await startFakeHomeserver();
  });
  afterEach(async () => {
    await hs.close();
  });

  it("asks Synapse 1.160's unstable path with the application service's token", async () => {
    let authorization: string | undefined;
    hs.handle((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"joined":true}');
    });
    expect(await client().isJoined('!r:hs', { mxid: '@a+b:hs' })).toBe(true);
    expect(await client().isJoined('!r:hs', { serverName: 'other.example' })).toBe(true);
    expect(authorization).toBe('Bearer as-secret');
    expect(hs.requests.map((r) => r.path)).toEqual([
      '/_matrix/client/unstable/io.element.msc4502/rooms/!r%3Ahs/is_joined',
      '/_matrix/client/unstable/io.element.msc4502/rooms/!r%3Ahs/is_joined',
    ]);
    expect(hs.requests[0]!.query.get('mxid')).toBe('@a+b:hs');
    expect(hs.requests[1]!.query.get('server_name')).toBe('other.example');
  });

  it('reads no, and an unparseable room id as no', async () => {
    answer(200, '{"joined":false}');
    expect(await client().isJoined('!r:hs', { mxid: '@a:hs' })).toBe(false);
    answer(400, '{"errcode":"M_INVALID_PARAM","error":"Invalid room ID"}');
    expect(await client().isJoined('bad', { mxid: '@a:hs' })).toBe(false);
  });

  it('draws no conclusion from a missing scope, an error, a bad body or no answer', async () => {
    answer(403, '{"errcode":"M_FORBIDDEN","error":"Missing scope"}');
    await expect(client().isJoined('!r:hs', { mxid: '@a:hs' })).rejects.toThrow(
      new MembershipUnknownError('is_joined answered 403 M_FORBIDDEN'),
    );
    answer(404, '{"errcode":"M_UNRECOGNIZED"}');
    await expect(client().isJoined('!r:hs', { mxid: '@a:hs' })).rejects.toThrow('is_joined answered 404');
    answer(200, '{"joined":"yes"}');
    await expect(client().isJoined('!r:hs', { mxid: '@a:hs' })).rejects.toBeInstanceOf(
      MembershipUnknownError,
    );
    await expect(
      client(`http://127.0.0.1:${String(await unusedPort())}`).isJoined('!r:hs', { mxid: '@a:hs' }),
    ).rejects.toThrow('is_joined failed (network)');
    await expect(client(null).isJoined('!r:hs', { mxid: '@a:hs' })).rejects.toBeInstanceOf(
      MembershipUnknownError,
    );
  });

  it("uses the token source's token instead, and drops it when the homeserver refuses it", async () => {
    const invalidated: string[] = [];
    let next = 1;
    const tokenSource = {
      token: () => Promise.resolve(`oauth-${String(next)}`),
      invalidate: (token: string) => {
        invalidated.push(token);
        next += 1;
      },
    };
    const withSource = new IsJoinedClient({ baseUrl: () => Promise.resolve(hs.baseUrl), tokenSource });
    const seen: (string | undefined)[] = [];
    hs.handle((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === 'Bearer oauth-1')
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errcode":"M_UNKNOWN_TOKEN"}');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"joined":true}');
    });
    await expect(withSource.isJoined('!r:hs', { mxid: '@a:hs' })).rejects.toThrow(
      new MembershipUnknownError('is_joined answered 401 M_UNKNOWN_TOKEN'),
    );
    expect(invalidated).toEqual(['oauth-1']);
    expect(await withSource.isJoined('!r:hs', { mxid: '@a:hs' })).toBe(true);
    expect(seen).toEqual(['Bearer oauth-1', 'Bearer oauth-2']);
  });
});
