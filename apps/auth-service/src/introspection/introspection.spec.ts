import { describe, expect, it } from 'vitest';
import { INACTIVE, introspectionResponse, type IntrospectedToken } from './introspection';
import { compatSessionGrant, parseScope } from '../scopes/matrix-scopes';

const NOW = new Date('2026-08-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const API = 'urn:matrix:client:api:*';
const API_U = 'urn:matrix:org.matrix.msc2967.client:api:*';

const oauthAccess: IntrospectedToken = {
  session: 'oauth',
  tokenType: 'access_token',
  userLocalpart: 'alice',
  userSub: '01J0ALICE0000000000000000A',
  clientId: '01J0CLIENT000000000000000C',
  grant: parseScope(`openid ${API} urn:matrix:client:device:DEVALICE01`),
  issuedAt: new Date(NOW.getTime() - 60_000),
  expiresAt: new Date(NOW.getTime() + 240_000),
  tokenId: '01J0TOKEN0000000000000000T',
};
const context = { now: NOW, supportsDeviceId: true };

describe(introspectionResponse.name, () => {
  it('answers an OAuth access token with everything Synapse reads, device in the scope in both forms', () => {
    expect(introspectionResponse(oauthAccess, context)).toEqual({
      active: true,
      scope: [
        'openid',
        API,
        'urn:matrix:client:device:DEVALICE01',
        API_U,
        'urn:matrix:org.matrix.msc2967.client:device:DEVALICE01',
      ]
        .sort()
        .join(' '),
      client_id: '01J0CLIENT000000000000000C',
      username: 'alice',
      sub: '01J0ALICE0000000000000000A',
      token_type: 'access_token',
      exp: NOW_S + 240,
      expires_in: 240,
      iat: NOW_S - 60,
      nbf: NOW_S - 60,
      jti: '01J0TOKEN0000000000000000T',
    });
  });

  it('answers an OAuth refresh token without exp or expires_in', () => {
    const response = introspectionResponse(
      { ...oauthAccess, tokenType: 'refresh_token', expiresAt: null },
      context,
    );
    expect(response).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect(response).not.toHaveProperty('exp');
    expect(response).not.toHaveProperty('expires_in');
  });

  it('answers a compat token as client "legacy" with device_id and no device scope when Synapse supports it', () => {
    const compat: IntrospectedToken = {
      session: 'compat',
      tokenType: 'access_token',
      userLocalpart: 'bob',
      userSub: '01J0BOB00000000000000000B0',
      clientId: 'ignored',
      grant: compatSessionGrant('BOBPHONE', false),
      issuedAt: new Date(NOW.getTime() - 1000),
      expiresAt: null,
      tokenId: 'not-sent-for-compat',
    };
    expect(introspectionResponse(compat, context)).toEqual({
      active: true,
      scope: `${API} ${API_U}`,
      client_id: 'legacy',
      username: 'bob',
      sub: '01J0BOB00000000000000000B0',
      token_type: 'access_token',
      iat: NOW_S - 1,
      nbf: NOW_S - 1,
      device_id: 'BOBPHONE',
    });
  });

  it('puts a compat device into the scope, both forms, when Synapse did not send the header', () => {
    const compat: IntrospectedToken = {
      ...oauthAccess,
      session: 'compat',
      grant: compatSessionGrant('BOBPHONE', true),
      expiresAt: null,
    };
    const response = introspectionResponse(compat, { now: NOW, supportsDeviceId: false });
    expect(response).not.toHaveProperty('device_id');
    expect(response).toMatchObject({
      scope: [
        API,
        'urn:matrix:client:device:BOBPHONE',
        API_U,
        'urn:matrix:org.matrix.msc2967.client:device:BOBPHONE',
        'urn:synapse:admin:*',
      ]
        .sort()
        .join(' '),
    });
  });

  it('never answers device_id for OAuth sessions, whose device is in the scope', () => {
    expect(introspectionResponse(oauthAccess, context)).not.toHaveProperty('device_id');
  });

  it('omits user fields for a session without a user, and client_id for a PAT without an owner client', () => {
    const machine: IntrospectedToken = {
      ...oauthAccess,
      userLocalpart: null,
      userSub: null,
      grant: parseScope('urn:mas:admin'),
    };
    const response = introspectionResponse(machine, context);
    expect(response).not.toHaveProperty('username');
    expect(response).not.toHaveProperty('sub');
    const pat = introspectionResponse({ ...oauthAccess, session: 'personal', clientId: null }, context);
    expect(pat).not.toHaveProperty('client_id');
    expect(pat).not.toHaveProperty('jti');
  });

  it('is inactive for no token, an expired token, or a token exactly at its expiry', () => {
    expect(introspectionResponse(null, context)).toBe(INACTIVE);
    expect(
      introspectionResponse({ ...oauthAccess, expiresAt: new Date(NOW.getTime() - 1) }, context),
    ).toEqual({ active: false });
    expect(introspectionResponse({ ...oauthAccess, expiresAt: NOW }, context)).toEqual({ active: false });
  });

  it('is inactive when the token_type_hint does not match, active when it does or is absent', () => {
    expect(introspectionResponse(oauthAccess, { ...context, tokenTypeHint: 'refresh_token' })).toEqual(
      INACTIVE,
    );
    expect(introspectionResponse(oauthAccess, { ...context, tokenTypeHint: 'access_token' })).toMatchObject({
      active: true,
    });
    expect(introspectionResponse(oauthAccess, { ...context, tokenTypeHint: null })).toMatchObject({
      active: true,
    });
  });

  it('rounds expires_in down so Synapse never caches past the expiry', () => {
    const response = introspectionResponse(
      { ...oauthAccess, expiresAt: new Date(NOW.getTime() + 1999) },
      context,
    );
    expect(response).toMatchObject({ expires_in: 1 });
    const almost = introspectionResponse(
      { ...oauthAccess, expiresAt: new Date(NOW.getTime() + 999) },
      context,
    );
    expect(almost).toMatchObject({ active: true, expires_in: 0 });
  });

  it('serialises to the JSON shape of the spec example', () => {
    const grant = parseScope(`${API} urn:matrix:client:device:DEVALICE00`);
    const body = JSON.parse(
      JSON.stringify(introspectionResponse({ ...oauthAccess, grant }, context)),
    ) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'active',
        'client_id',
        'exp',
        'expires_in',
        'iat',
        'jti',
        'nbf',
        'scope',
        'sub',
        'token_type',
        'username',
      ].sort(),
    );
  });

  it('keeps INACTIVE immutable', () => {
    expect(Object.isFrozen(INACTIVE)).toBe(true);
  });
});
