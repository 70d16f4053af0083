import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { validateClientRegistration } from './client-registration';
import { OAuthError } from '../oauth-error';
import { REAL_WORLD_REGISTRATIONS } from '../../test/support/client-registrations';
import { below, mutate, pick, randomText } from '../../test/support/fuzz-inputs';

const SEEDS = Object.values(REAL_WORLD_REGISTRATIONS) as readonly Record<string, unknown>[];
const KEYS = [
  'client_uri',
  'redirect_uris',
  'application_type',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'client_name',
  'client_name#fr',
  'logo_uri#de',
  'contacts',
  'jwks',
  'jwks_uri',
  'id_token_signed_response_alg',
  'token_endpoint_auth_signing_alg',
  '__proto__',
  'constructor',
  'toString',
];

function randomValue(next: () => number, template: unknown): unknown {
  switch (below(next, 8)) {
    case 0:
      return null;
    case 1:
      return pick(next, [0, -1, true, false, {}, [], [null], { keys: 'x' }]);
    case 2:
      return randomText(next, 40);
    case 3:
      return Array.from({ length: below(next, 3) }, () => randomText(next, 30));
    default:
      if (typeof template === 'string') return mutate(next, template);
      if (Array.isArray(template))
        return (template as unknown[]).map((item) =>
          typeof item === 'string' && next() < 0.5 ? mutate(next, item) : item,
        );
      return template;
  }
}

function randomBody(next: () => number): unknown {
  if (next() < 0.05) return pick(next, [null, 1, 'x', [], [{}]]);
  const body: Record<string, unknown> = { ...pick(next, SEEDS) };
  for (let edits = below(next, 4); edits >= 0; edits--) {
    const key = pick(next, KEYS);
    // defineProperty: a literal `__proto__` key must become an own property, as JSON.parse makes it.
    Object.defineProperty(body, key, {
      value: randomValue(next, body[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return body;
}

describe(`${validateClientRegistration.name} (fuzz)`, () => {
  it('throws nothing but invalid_redirect_uri / invalid_client_metadata, and accepted URIs keep their rules', () => {
    const next = seededRandom(0xdc12);
    let accepted = 0;
    for (let round = 0; round < 5000; round++) {
      const body = randomBody(next);
      try {
        const metadata = validateClientRegistration(body);
        accepted++;
        expect(metadata.client_uri).toMatch(/^https:/);
        for (const uri of metadata.redirect_uris) expect(uri).not.toContain('#');
      } catch (error) {
        expect(error).toBeInstanceOf(OAuthError);
        expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain((error as OAuthError).error);
        expect((error as OAuthError).description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
      }
    }
    // The mutations must not be so destructive that nothing is ever accepted.
    expect(accepted).toBeGreaterThan(100);
  });
});
