import { describe, expect, it } from 'vitest';
import { parseUpstreamConfig } from './upstream-config';
import { importClaims } from './upstream-sign-in';

function provider(claimsImports: string) {
  const problems: string[] = [];
  const config = parseUpstreamConfig(
    `providers:\n  - id: p\n    issuer: https://id.example.org/\n    client_id: c\n    client_secret: s\n    claims_imports:\n${claimsImports}`,
    'AUTH_UPSTREAM_OAUTH2',
    problems,
  );
  expect(problems).toEqual([]);
  return config.providers[0]!;
}

const claims = {
  sub: 's',
  preferred_username: 'Alice',
  name: 'Alice A',
  email: 'alice@example.org',
  email_verified: 'true',
};

describe('importClaims', () => {
  it('imports nothing the provider does not ask for (action ignore)', () => {
    expect(importClaims(provider('      subject: { template: "{{ user.sub }}" }\n'), claims)).toEqual({
      localpart: null,
      displayName: null,
      email: null,
      emailVerified: false,
      accountName: null,
    });
  });

  it('lower-cases the username, and counts an address as verified only for email_verified: true', () => {
    const p = provider(
      '      localpart: { action: suggest }\n      displayname: { action: force }\n      email: { action: suggest }\n      account_name: { template: "{{ user.name }} ({{ user.email }})" }\n',
    );
    // A string "true" is not the boolean the standard claim is.
    expect(importClaims(p, claims)).toEqual({
      localpart: 'alice',
      displayName: 'Alice A',
      email: 'alice@example.org',
      emailVerified: false,
      accountName: 'Alice A (alice@example.org)',
    });
    expect(importClaims(p, { ...claims, email_verified: true }).emailVerified).toBe(true);
  });
});
