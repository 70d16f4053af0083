import { describe, expect, it } from 'vitest';
import { parseScope } from './matrix-scopes';
import { OAuthError } from '../oauth-error';
import { checkScopePolicy, isScopeAllowed, type ScopePolicyContext } from './scope-policy';

const API = 'urn:matrix:client:api:*';
const API_U = 'urn:matrix:org.matrix.msc2967.client:api:*';
const DEVICE = 'urn:matrix:client:device:ABCDEFGHIJ';
const DEVICE_U = 'urn:matrix:org.matrix.msc2967.client:device:ABCDEFGHIJ';

const user: ScopePolicyContext = {
  grantType: 'authorization_code',
  user: { canRequestAdmin: false },
  clientIsAdmin: false,
};
const adminUser: ScopePolicyContext = { ...user, user: { canRequestAdmin: true } };
const deviceFlow: ScopePolicyContext = { ...user, grantType: 'urn:ietf:params:oauth:grant-type:device_code' };
const machine: ScopePolicyContext = { grantType: 'client_credentials', user: null, clientIsAdmin: false };
const adminMachine: ScopePolicyContext = { ...machine, clientIsAdmin: true };

describe(isScopeAllowed.name, () => {
  it.each(['openid', 'email', 'urn:mas:graphql:*'])('allows %s to anyone', (token) => {
    for (const context of [user, adminUser, deviceFlow, machine, adminMachine]) {
      expect(isScopeAllowed(token, context)).toBe(true);
    }
  });

  it.each([API, API_U, DEVICE, DEVICE_U])('allows %s on interactive grants only', (token) => {
    expect(isScopeAllowed(token, user)).toBe(true);
    expect(isScopeAllowed(token, deviceFlow)).toBe(true);
    expect(isScopeAllowed(token, machine)).toBe(false);
    expect(isScopeAllowed(token, adminMachine)).toBe(false);
  });

  it('allows Synapse admin to interactive users who may request admin, never to machines', () => {
    expect(isScopeAllowed('urn:synapse:admin:*', adminUser)).toBe(true);
    expect(isScopeAllowed('urn:synapse:admin:*', user)).toBe(false);
    expect(isScopeAllowed('urn:synapse:admin:*', adminMachine)).toBe(false);
  });

  it('allows MAS admin to admin users and, on client_credentials, to admin clients', () => {
    expect(isScopeAllowed('urn:mas:admin', adminUser)).toBe(true);
    expect(isScopeAllowed('urn:mas:admin', adminMachine)).toBe(true);
    expect(isScopeAllowed('urn:mas:admin', user)).toBe(false);
    expect(isScopeAllowed('urn:mas:admin', machine)).toBe(false);
    // An admin client does not make a user's interactive grant an admin one.
    expect(isScopeAllowed('urn:mas:admin', { ...user, clientIsAdmin: true })).toBe(false);
  });

  it('refuses interactive-only scopes when an interactive grant has no user', () => {
    expect(isScopeAllowed(API, { ...user, user: null })).toBe(false);
  });

  it('refuses scopes it does not know', () => {
    expect(isScopeAllowed('profile', adminUser)).toBe(false);
    expect(isScopeAllowed('urn:matrix:client:api:read', adminUser)).toBe(false);
  });
});

describe(checkScopePolicy.name, () => {
  it('passes a normal Matrix client login', () => {
    expect(() => {
      checkScopePolicy(parseScope(`openid ${API} ${DEVICE}`), user);
    }).not.toThrow();
  });

  it('names the first refused scope in an invalid_scope error', () => {
    const attempt = () => {
      checkScopePolicy(parseScope(`${API} urn:synapse:admin:*`), user);
    };
    expect(attempt).toThrow(OAuthError);
    expect(attempt).toThrow("invalid_scope: scope 'urn:synapse:admin:*' not allowed");
  });

  it('refuses the Matrix API to client_credentials', () => {
    expect(() => {
      checkScopePolicy(parseScope(`urn:mas:admin ${API}`), adminMachine);
    }).toThrow(`scope '${API}' not allowed`);
  });

  it('passes the empty grant', () => {
    expect(() => {
      checkScopePolicy(parseScope(''), machine);
    }).not.toThrow();
  });
});
