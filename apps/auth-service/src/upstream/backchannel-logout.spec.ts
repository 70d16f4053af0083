import { constants, generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStore } from '@gateway/auth-data';
import type { AuditLog } from '../audit/audit-log';
import type { SessionEnd } from '../sessions/session-end';
import { BackchannelLogout } from './backchannel-logout';
import type { UpstreamClients } from './upstream-clients';
import type { UpstreamProviderConfig } from './upstream-config';

const ISSUER = 'https://id.example.org';
const NOW = 1_800_000_000;
const provider = {
  id: 'idp',
  clientId: 'gateway',
  onBackchannelLogout: 'logout_browser_only',
} as UpstreamProviderConfig;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const publicJwk = (key: typeof rsa, kid: string): JsonWebKey => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = key.export({ format: 'jwk' });
  return { ...pub, kid, use: 'sig' };
};
const KEYS = [publicJwk(rsa, 'rsa'), publicJwk(ec, 'ec')];

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key = rsa): string {
  const data = Buffer.from(`${b64(header)}.${b64(claims)}`);
  const alg = String(header['alg']);
  const signature = alg.startsWith('ES')
    ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    : alg.startsWith('PS')
      ? sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
      : sign('sha256', data, key);
  return `${b64(header)}.${b64(claims)}.${signature.toString('base64url')}`;
}
const CLAIMS = {
  iss: ISSUER,
  aud: 'gateway',
  iat: NOW,
  exp: NOW + 120,
  jti: 'jti-1',
  sub: 'subject-1',
  sid: 'sid-1',
  events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
};

function logout() {
  const asked: { sub: string | null; sid: string | null }[] = [];
  const destroyed: string[] = [];
  const store = {
    upstream: {
      signedInSessions: (_p: string, match: { sub: string | null; sid: string | null }) => {
        asked.push(match);
        return Promise.resolve([{ browserSessionUid: 'session-1', userId: 'user-1' }]);
      },
    },
    payloads: {
      findKeysByUid: () => Promise.resolve([{ key: 'key-1', payload: { accountId: 'user-1' } }]),
      destroy: (_model: string, key: string) => {
        destroyed.push(key);
        return Promise.resolve();
      },
    },
  } as unknown as AuthStore;
  const clients = {
    providerKeys: () => Promise.resolve({ issuer: ISSUER, keys: KEYS }),
  } as unknown as UpstreamClients;
  const audit = { note: () => Promise.resolve() } as unknown as AuditLog;
  const service = new BackchannelLogout(store, clients, {} as SessionEnd, audit, () => NOW * 1000);
  return { service, asked, destroyed };
}

describe('BackchannelLogout, the logout token (OpenID Connect Back-Channel Logout 1.0 §2.6)', () => {
  // Each refusal is logged as a warning: not this spec's output.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('accepts a token signed by one of the provider keys (RS256, PS256, ES256), naming sub and sid', async () => {
    const { service, asked } = logout();
    for (const token of [
      jwt({ alg: 'RS256', kid: 'rsa' }, CLAIMS),
      jwt({ alg: 'PS256', kid: 'rsa' }, CLAIMS),
      jwt({ alg: 'ES256', kid: 'ec' }, CLAIMS, ec),
      jwt({ alg: 'RS256' }, { ...CLAIMS, aud: ['other', 'gateway'], sid: undefined }),
    ])
      expect(await service.handle(provider, token)).toEqual({ status: 200 });
    expect(asked).toEqual([
      { sub: 'subject-1', sid: 'sid-1' },
      { sub: 'subject-1', sid: 'sid-1' },
      { sub: 'subject-1', sid: 'sid-1' },
      { sub: 'subject-1', sid: null },
    ]);
  });

  it('refuses, with 400 invalid_request and nothing looked up, every token §2.6 rejects', async () => {
    const { service, asked } = logout();
    const good = jwt({ alg: 'RS256', kid: 'rsa' }, CLAIMS);
    const [h, c] = good.split('.');
    const cases: Record<string, string> = {
      'not a JWT': 'abc',
      'bad JSON': 'e30.bm90IGpzb24.AAAA',
      'alg none': `${b64({ alg: 'none' })}.${b64(CLAIMS)}.`,
      'a shared-secret alg': jwt({ alg: 'HS256' }, CLAIMS),
      'another key': jwt({ alg: 'RS256', kid: 'rsa' }, CLAIMS, other),
      'an unknown kid': jwt({ alg: 'RS256', kid: 'gone' }, CLAIMS),
      'a key of another type': jwt({ alg: 'RS256', kid: 'ec' }, CLAIMS),
      'claims changed after signing': `${h}.${b64({ ...CLAIMS, sub: 'someone-else' })}.${good.split('.')[2]}`,
      'signature cut': `${h}.${c}.`,
      'another issuer': jwt({ alg: 'RS256' }, { ...CLAIMS, iss: 'https://evil.example' }),
      'another audience': jwt({ alg: 'RS256' }, { ...CLAIMS, aud: 'someone' }),
      expired: jwt({ alg: 'RS256' }, { ...CLAIMS, exp: NOW - 31 }),
      'no exp': jwt({ alg: 'RS256' }, { ...CLAIMS, exp: undefined }),
      'issued in the future': jwt({ alg: 'RS256' }, { ...CLAIMS, iat: NOW + 31 }),
      'neither sub nor sid': jwt({ alg: 'RS256' }, { ...CLAIMS, sub: undefined, sid: undefined }),
      'no logout event': jwt({ alg: 'RS256' }, { ...CLAIMS, events: { other: {} } }),
      'a nonce': jwt({ alg: 'RS256' }, { ...CLAIMS, nonce: 'n' }),
      'too long': 'a'.repeat(20_000),
    };
    for (const [why, token] of Object.entries(cases)) {
      const answer = await service.handle(provider, token);
      expect({ why, answer }).toMatchObject({
        why,
        answer: { status: 400, body: { error: 'invalid_request' } },
      });
    }
    expect(await service.handle(provider, undefined)).toMatchObject({ status: 400 });
    expect(await service.handle(null, good)).toMatchObject({
      status: 404,
      body: { error: 'invalid_request' },
    });
    expect(asked).toEqual([]);
  });

  it("ends nothing with do_nothing (MAS's default), and the browser session with logout_browser_only", async () => {
    const token = jwt({ alg: 'RS256', kid: 'rsa' }, CLAIMS);
    const quiet = logout();
    expect(await quiet.service.handle({ ...provider, onBackchannelLogout: 'do_nothing' }, token)).toEqual({
      status: 200,
    });
    expect(quiet.asked).toHaveLength(1);
    expect(quiet.destroyed).toEqual([]);
    const browserOnly = logout();
    expect(await browserOnly.service.handle(provider, token)).toEqual({ status: 200 });
    expect(browserOnly.destroyed).toEqual(['key-1']);
  });
});
