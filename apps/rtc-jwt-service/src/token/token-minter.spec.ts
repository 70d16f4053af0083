import { MatrixError } from '@gateway/matrix';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveKitIdentity } from './identity';
import { liveKitRoomAlias } from '../request/room-alias';
import { mintLiveKitToken, TOKEN_TTL_SECONDS } from './token-minter';

const credentials = { apiKey: 'devkey', apiSecret: 'a-secret-of-at-least-32-characters!!' };
const grant = {
  identity: liveKitIdentity('@alice:example.com', 'DEVICE123', 'memberABC'),
  room: liveKitRoomAlias('!roomid:example.com', 'slot1234'),
};

function decodeSegment(jwt: string, index: number): Record<string, unknown> {
  const segment = jwt.split('.')[index] ?? '';
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

afterEach(() => {
  vi.useRealTimers();
});

describe(mintLiveKitToken.name, () => {
  it('mints a token TokenVerifier accepts, with the reference grant', async () => {
    const jwt = await mintLiveKitToken(credentials, grant);
    const claims = await new TokenVerifier(credentials.apiKey, credentials.apiSecret).verify(jwt);
    expect(claims.sub).toBe('J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU');
    expect(claims.video).toEqual({
      room: 'O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc',
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canUpdateOwnMetadata: true,
    });
    expect(claims.video?.roomCreate).not.toBe(true);
  });

  it('keeps the payload minimal, with nbf = now and exp = now + 3600', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-07-23T12:00:00Z'));
    const jwt = await mintLiveKitToken(credentials, grant);
    expect(decodeSegment(jwt, 0)).toEqual({ alg: 'HS256' });
    const now = Date.parse('2026-07-23T12:00:00Z') / 1000;
    expect(decodeSegment(jwt, 1)).toEqual({
      video: {
        room: grant.room,
        roomJoin: true,
        canPublish: true,
        canSubscribe: true,
        canUpdateOwnMetadata: true,
      },
      iss: 'devkey',
      sub: grant.identity,
      nbf: now,
      exp: now + TOKEN_TTL_SECONDS,
    });
  });

  it("is byte for byte the token livekit-server-sdk's AccessToken mints at the same second", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-07-23T12:00:00.400Z'));
    for (const canPublish of [true, false]) {
      const sdk = new AccessToken(credentials.apiKey, credentials.apiSecret, {
        identity: grant.identity,
        ttl: TOKEN_TTL_SECONDS,
      });
      sdk.addGrant({
        room: grant.room,
        roomJoin: true,
        canPublish,
        canSubscribe: true,
        canUpdateOwnMetadata: true,
      });
      expect(await mintLiveKitToken(credentials, { ...grant, canPublish })).toBe(await sdk.toJwt());
    }
  });

  it('can withhold publishing and metadata updates', async () => {
    const jwt = await mintLiveKitToken(credentials, {
      ...grant,
      canPublish: false,
      canUpdateOwnMetadata: false,
    });
    const claims = await new TokenVerifier(credentials.apiKey, credentials.apiSecret).verify(jwt);
    expect(claims.video?.canPublish).toBe(false);
    expect(claims.video?.canUpdateOwnMetadata).toBe(false);
    expect(claims.video?.canSubscribe).toBe(true);
  });

  it('is rejected by a verifier with another key or secret', async () => {
    const jwt = await mintLiveKitToken(credentials, grant);
    await expect(new TokenVerifier('otherkey', credentials.apiSecret).verify(jwt)).rejects.toThrow();
    await expect(
      new TokenVerifier(credentials.apiKey, 'another-secret-of-32-characters!!!').verify(jwt),
    ).rejects.toThrow();
  });

  it('carries the legacy identity in clear', async () => {
    const jwt = await mintLiveKitToken(credentials, {
      identity: '@user:example.com:testDevice',
      room: grant.room,
    });
    expect(decodeSegment(jwt, 1)['sub']).toBe('@user:example.com:testDevice');
  });

  it('yields payloads Element Call can decode with atob for hashed identities and rooms', async () => {
    for (let i = 0; i < 50; i++) {
      const jwt = await mintLiveKitToken(credentials, {
        identity: liveKitIdentity(`@user${i}:example.com`, `DEV${i}`, `member-${i}`),
        room: liveKitRoomAlias(`!room${i}:example.com`, 'm.call#ROOM'),
      });
      const payload = jwt.split('.')[1] ?? '';
      expect(payload).not.toMatch(/[-_]/);
      expect(() => JSON.parse(atob(payload)) as unknown).not.toThrow();
    }
  });

  it.each([
    ['an empty key', { ...credentials, apiKey: '' }],
    ['an empty secret', { ...credentials, apiSecret: '' }],
  ])('fails with 500 M_UNKNOWN for %s, never reading the environment', async (_label, creds) => {
    vi.stubEnv('LIVEKIT_API_KEY', 'envkey');
    vi.stubEnv('LIVEKIT_API_SECRET', 'env-secret-env-secret-env-secret!');
    try {
      const error = await mintLiveKitToken(creds, grant).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MatrixError);
      expect(error).toMatchObject({ status: 500, errcode: 'M_UNKNOWN', message: 'Internal Server Error' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('fails with 500 M_UNKNOWN for an empty identity', async () => {
    await expect(mintLiveKitToken(credentials, { ...grant, identity: '' })).rejects.toMatchObject({
      errcode: 'M_UNKNOWN',
    });
  });
});
