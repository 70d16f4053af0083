import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import {
  compatSessionGrant,
  deviceScope,
  deviceScopeOf,
  hasApiScope,
  isAdminScope,
  parseScope,
  scopeForIntrospection,
} from './matrix-scopes';
import { OAuthError } from '../oauth-error';
import { below, mutate, pick, randomText } from '../../test/support/fuzz-inputs';
import { oauthErrorOf } from '../../test/support/oauth-error-of';

const API = 'urn:matrix:client:api:*';
const API_U = 'urn:matrix:org.matrix.msc2967.client:api:*';
const DEV = 'urn:matrix:client:device:';
const DEV_U = 'urn:matrix:org.matrix.msc2967.client:device:';

function scopeError(scope: string): OAuthError {
  return oauthErrorOf(() => parseScope(scope));
}

describe(parseScope.name, () => {
  it("parses js-sdk 43's default request (stable forms, no openid)", () => {
    expect(parseScope(`${API} ${DEV}DEV123ABCD`)).toEqual({
      scopes: [API, `${DEV}DEV123ABCD`],
      api: ['stable'],
      device: { id: 'DEV123ABCD', form: 'stable' },
      synapseAdmin: false,
      masAdmin: false,
      masGraphql: false,
      openid: false,
      email: false,
      other: [],
    });
  });

  it("parses js-sdk ≤41's request (openid and unstable forms)", () => {
    const grant = parseScope(`openid ${API_U} ${DEV_U}AbCdEfGhIj`);
    expect(grant.api).toEqual(['unstable']);
    expect(grant.device).toEqual({ id: 'AbCdEfGhIj', form: 'unstable' });
    expect(grant.openid).toBe(true);
  });

  it('recognises the admin, GraphQL and email scopes and keeps unknown ones apart', () => {
    const grant = parseScope(`email urn:synapse:admin:* urn:mas:admin urn:mas:graphql:* profile ${API}`);
    expect(grant).toMatchObject({
      synapseAdmin: true,
      masAdmin: true,
      masGraphql: true,
      email: true,
      openid: false,
      other: ['profile'],
    });
  });

  it('sorts and deduplicates the scopes', () => {
    expect(parseScope(`openid ${API} openid email`).scopes).toEqual(['email', 'openid', API]);
  });

  it('treats an API-looking scope that is not exactly the API scope as unknown', () => {
    expect(parseScope('urn:matrix:client:api:read')).toMatchObject({
      api: [],
      other: ['urn:matrix:client:api:read'],
    });
  });

  it('allows both forms of the API scope together, and the API scope without a device', () => {
    expect(parseScope(`${API} ${API_U}`).api).toEqual(['stable', 'unstable']);
    expect(parseScope(`${API_U} ${API} ${DEV_U}0123456789`).device?.form).toBe('unstable');
  });

  it('reads the empty string as the empty grant', () => {
    expect(parseScope('')).toMatchObject({ scopes: [], api: [], device: null });
  });

  it.each([
    ['a leading space', ` ${API}`],
    ['two spaces', `openid  ${API}`],
    ['a trailing space', 'openid '],
    ['a tab', `openid\t${API}`],
    ['a double quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['non-ASCII', 'ópenid'],
  ])('refuses %s (RFC 6749 scope syntax)', (_what, scope) => {
    expect(scopeError(scope)).toMatchObject({ error: 'invalid_scope', status: 400 });
  });

  describe('device scope policy', () => {
    it('allows at most one device scope', () => {
      expect(scopeError(`${API} ${DEV}AAAAAAAAAA ${DEV}BBBBBBBBBB`).description).toBe(
        'only one device scope is allowed at a time',
      );
    });

    it('counts the stable and unstable forms of the same device as two', () => {
      expect(scopeError(`${API} ${API_U} ${DEV}AAAAAAAAAA ${DEV_U}AAAAAAAAAA`).description).toBe(
        'only one device scope is allowed at a time',
      );
    });

    it('accepts the same device scope repeated (scopes are a set)', () => {
      expect(parseScope(`${API} ${DEV}AAAAAAAAAA ${DEV}AAAAAAAAAA`).device?.id).toBe('AAAAAAAAAA');
    });

    it.each(['', 'A', 'ABCDEFGHI'])('refuses the device ID %j, shorter than 10 characters', (id) => {
      expect(scopeError(`${API} ${DEV}${id}`).description).toMatch(/device ID must be 10 to 255/);
    });

    it("accepts every character of MAS's device ID set", () => {
      const id = "Az09._~!$&'()*+,;=:@/-";
      expect(parseScope(`${API} ${DEV}${id}`).device?.id).toBe(id);
    });

    it.each(['ABCDEFGHI#', 'ABCDEFGHI%', 'ABCDEFGHI[', 'ABCDEFGHI?', 'ABCDEFGHI`', 'ABCDEFGHI{'])(
      'refuses the device ID %s, outside the allowed set',
      (id) => {
        expect(scopeError(`${API} ${DEV}${id}`).error).toBe('invalid_scope');
      },
    );

    it('refuses device IDs longer than Synapse accepts (255)', () => {
      expect(parseScope(`${API} ${DEV}${'a'.repeat(255)}`).device?.id).toHaveLength(255);
      expect(scopeError(`${API} ${DEV}${'a'.repeat(256)}`).error).toBe('invalid_scope');
    });

    it('requires the API scope alongside a device scope', () => {
      expect(scopeError(`openid ${DEV}ABCDEFGHIJ`).description).toBe(
        'the device scope requires the urn:matrix:client:api:* scope',
      );
      expect(scopeError(`${DEV_U}ABCDEFGHIJ`).description).toBe(
        `the device scope requires the ${API_U} scope`,
      );
    });

    it('refuses a device scope whose form differs from the API scope', () => {
      expect(scopeError(`${API} ${DEV_U}ABCDEFGHIJ`).description).toBe(
        'stable and unstable (MSC2967) Matrix scopes cannot be mixed',
      );
      expect(scopeError(`${API_U} ${DEV}ABCDEFGHIJ`).error).toBe('invalid_scope');
    });
  });

  it('throws nothing but OAuthError invalid_scope on random and mutated input (fuzz)', () => {
    const next = seededRandom(0x5c0e);
    const seeds = [`openid ${API} ${DEV}ABCDEFGHIJ`, `${API_U} ${DEV_U}0123456789 urn:synapse:admin:*`, ''];
    for (let round = 0; round < 20_000; round++) {
      let input = round % 3 === 0 ? randomText(next, 80) : pick(next, seeds);
      for (let edits = below(next, 4); edits > 0; edits--) input = mutate(next, input);
      try {
        const grant = parseScope(input);
        // Whatever is accepted reads back to the same set of tokens.
        expect(grant.scopes.join(' ')).toBe(
          [...new Set(input === '' ? [] : input.split(' '))].sort().join(' '),
        );
      } catch (error) {
        expect(error).toBeInstanceOf(OAuthError);
        expect((error as OAuthError).error).toBe('invalid_scope');
      }
    }
  });
});

describe(deviceScopeOf.name, () => {
  it('strips either prefix to give the device ID and its form', () => {
    expect(deviceScopeOf(`${DEV}X`)).toEqual({ id: 'X', form: 'stable' });
    expect(deviceScopeOf(`${DEV_U}X`)).toEqual({ id: 'X', form: 'unstable' });
    expect(deviceScopeOf(API)).toBeNull();
  });

  it('is the inverse of deviceScope', () => {
    expect(deviceScopeOf(deviceScope('ABCDEFGHIJ', 'unstable'))).toEqual({
      id: 'ABCDEFGHIJ',
      form: 'unstable',
    });
  });
});

describe(isAdminScope.name, () => {
  it('is true for the Synapse and MAS admin scopes only', () => {
    expect(isAdminScope('urn:synapse:admin:*')).toBe(true);
    expect(isAdminScope('urn:mas:admin')).toBe(true);
    for (const token of ['urn:mas:graphql:*', API, 'openid', 'urn:synapse:admin']) {
      expect(isAdminScope(token)).toBe(false);
    }
  });
});

describe(hasApiScope.name, () => {
  it('is true for either form', () => {
    expect(hasApiScope(parseScope(API_U))).toBe(true);
    expect(hasApiScope(parseScope('openid'))).toBe(false);
  });
});

describe(scopeForIntrospection.name, () => {
  it('adds the unstable forms to a stable request', () => {
    expect(scopeForIntrospection(parseScope(`${API} ${DEV}DEVALICE01`))).toBe(
      [API, `${DEV}DEVALICE01`, API_U, `${DEV_U}DEVALICE01`].sort().join(' '),
    );
  });

  it('adds the stable forms to an unstable request and keeps the other scopes', () => {
    const scope = scopeForIntrospection(parseScope(`openid ${API_U} ${DEV_U}AbCdEfGhIj`));
    expect(scope.split(' ').sort()).toEqual(
      ['openid', API, `${DEV}AbCdEfGhIj`, API_U, `${DEV_U}AbCdEfGhIj`].sort(),
    );
  });

  it('keeps Synapse admin when granted', () => {
    expect(scopeForIntrospection(parseScope(`${API} urn:synapse:admin:*`)).split(' ')).toContain(
      'urn:synapse:admin:*',
    );
  });

  it('adds nothing to a grant without the API scope', () => {
    expect(scopeForIntrospection(parseScope('openid urn:mas:graphql:*'))).toBe('openid urn:mas:graphql:*');
    expect(scopeForIntrospection(parseScope(''))).toBe('');
  });

  it('leaves the device out when asked to (device_id carries it instead)', () => {
    expect(scopeForIntrospection(parseScope(`${API} ${DEV}DEVALICE01`), { includeDevice: false })).toBe(
      [API, API_U].sort().join(' '),
    );
  });
});

describe(compatSessionGrant.name, () => {
  it('synthesises both API scopes and both device scopes', () => {
    expect(scopeForIntrospection(compatSessionGrant('ABCDEF', false)).split(' ')).toEqual(
      [API, `${DEV}ABCDEF`, API_U, `${DEV_U}ABCDEF`].sort(),
    );
  });

  it('adds Synapse admin only for flagged sessions', () => {
    expect(compatSessionGrant('ABCDEF', true).synapseAdmin).toBe(true);
    expect(scopeForIntrospection(compatSessionGrant('ABCDEF', true))).toContain('urn:synapse:admin:*');
    expect(scopeForIntrospection(compatSessionGrant('ABCDEF', false))).not.toContain('admin');
  });

  it('keeps short or odd compat device IDs, but never writes one that is not a valid scope token', () => {
    expect(compatSessionGrant('a b', false).device?.id).toBe('a b');
    expect(scopeForIntrospection(compatSessionGrant('a b', false))).toBe([API, API_U].sort().join(' '));
  });
});
