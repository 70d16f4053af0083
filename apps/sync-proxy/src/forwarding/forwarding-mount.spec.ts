import { describe, expect, it } from 'vitest';
import { LEGACY_AUTH_PATH } from './forwarding-mount';

describe('LEGACY_AUTH_PATH', () => {
  it.each([
    '/_matrix/client/v3/login',
    '/_matrix/client/r0/login',
    '/_matrix/client/v3/login/sso/redirect',
    '/_matrix/client/v3/login/sso/redirect/oidc-google',
    '/_matrix/client/v3/logout',
    '/_matrix/client/r0/logout/all',
    '/_matrix/client/v3/refresh',
  ])('sends %s to the auth service', (path) => {
    expect(LEGACY_AUTH_PATH.test(path)).toBe(true);
  });

  it.each([
    '/_matrix/client/v3/sync',
    '/_matrix/client/v3/account/whoami',
    '/_matrix/client/v3/logout/other',
    '/_matrix/client/v3/refreshed',
    '/_matrix/client/v3/rooms/!x:y/login',
    '/login',
    '/_matrix/client/v3/loginx',
  ])('leaves %s to the homeserver', (path) => {
    expect(LEGACY_AUTH_PATH.test(path)).toBe(false);
  });
});
