import { describe, expect, it } from 'vitest';
import {
  checkLifetime,
  MAX_LIFETIME_SECONDS,
  offeredScopes,
  personalTokenScope,
  tokenName,
} from './personal-token-rules';

const user = { admin: false };
const admin = { admin: true };
const device = () => 'NEWDEVICE01';

describe('personal token scopes', () => {
  it('gives the Matrix API a fresh device, in the form asked for', () => {
    expect(personalTokenScope('urn:matrix:client:api:*', user, device)).toMatchObject({
      ok: true,
      scope: 'urn:matrix:client:api:* urn:matrix:client:device:NEWDEVICE01',
      deviceId: 'NEWDEVICE01',
    });
    expect(personalTokenScope('urn:matrix:org.matrix.msc2967.client:api:*', user, device)).toMatchObject({
      ok: true,
      deviceId: 'NEWDEVICE01',
    });
  });

  it('keeps a device named in the request, and has none without the Matrix API', () => {
    expect(
      personalTokenScope('urn:matrix:client:api:* urn:matrix:client:device:MYDEVICE001', user, device),
    ).toMatchObject({ ok: true, deviceId: 'MYDEVICE001' });
    expect(personalTokenScope('urn:mas:admin', admin, device)).toEqual(
      expect.objectContaining({ ok: true, scope: 'urn:mas:admin', deviceId: null }),
    );
  });

  it('gives the admin scopes to admins only, and refuses what a personal token cannot carry', () => {
    expect(personalTokenScope('urn:mas:admin', user, device).ok).toBe(false);
    expect(personalTokenScope('urn:matrix:client:api:* urn:synapse:admin:*', user, device).ok).toBe(false);
    expect(personalTokenScope('urn:matrix:client:api:* urn:synapse:admin:*', admin, device).ok).toBe(true);
    expect(personalTokenScope('urn:synapse:admin:*', admin, device).ok).toBe(false);
    for (const bad of [
      '',
      'openid',
      'urn:mas:graphql:*',
      'something',
      'urn:matrix:client:device:ONLYDEVICE1',
    ])
      expect(personalTokenScope(bad, admin, device).ok, bad).toBe(false);
  });

  it('offers only what the user may hold', () => {
    expect(offeredScopes(user)).toEqual(['urn:matrix:client:api:*']);
    expect(offeredScopes(admin)).toContain('urn:mas:admin');
  });
});

describe('personal token lifetimes and names', () => {
  it('requires an expiry unless endless tokens are allowed, within bounds', () => {
    expect(checkLifetime(null, false).ok).toBe(false);
    expect(checkLifetime(null, true)).toEqual({ ok: true, seconds: null });
    expect(checkLifetime(59, true).ok).toBe(false);
    expect(checkLifetime(MAX_LIFETIME_SECONDS, false).ok).toBe(true);
    expect(checkLifetime(MAX_LIFETIME_SECONDS + 1, false).ok).toBe(false);
    expect(checkLifetime(1.5e3 + 0.5, false).ok).toBe(false);
  });

  it('trims names and refuses empty, long or control-character ones', () => {
    expect(tokenName('  bot ')).toBe('bot');
    expect(tokenName('')).toBeNull();
    expect(tokenName(undefined)).toBeNull();
    expect(tokenName('x'.repeat(101))).toBeNull();
    expect(tokenName('a\nb')).toBeNull();
  });
});
