import { describe, expect, it } from 'vitest';
import { isLegacySynapseToken, isSynapseMacaroon, legacySynapseTokenKind } from './legacy-synapse-token';

const MACAROON_FIXTURE = 'MDAxYmxvY2F0aW9uIGxpYnJlcHVzaC5uZXQKMDAx';
// 151 characters, as in MAS's negative fixture: not a multiple of 4, so the padded decoder refuses it.
const UNPADDED_MACAROON = `MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsv${'A'.repeat(151 - 36)}`;

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

describe(isSynapseMacaroon.name, () => {
  it('detects the MAS fixture, which decodes to "001blocation librepush.net\\n001"', () => {
    expect(Buffer.from(MACAROON_FIXTURE, 'base64url').toString('latin1')).toBe(
      '001blocation librepush.net\n001',
    );
    expect(isSynapseMacaroon(MACAROON_FIXTURE)).toBe(true);
  });

  it('does not detect the 151-character fixture: its length is not a multiple of 4', () => {
    expect(UNPADDED_MACAROON).toHaveLength(151);
    expect(isSynapseMacaroon(UNPADDED_MACAROON)).toBe(false);
  });

  it.each(['eyJARTOhearotnaeisahtoarsnhiasra.arsohenaor.oarnsteao', '....', 'aaa', ''])(
    'does not detect the MAS negative fixture %j',
    (value) => {
      expect(isSynapseMacaroon(value)).toBe(false);
    },
  );

  it('detects padded macaroons of any length', () => {
    for (const tail of ['', 'x', 'xy', 'xyz', 'a longer identifier\n0010cid user_id = @a:b\n']) {
      expect(isSynapseMacaroon(base64url(`0020location example.org\n${tail}`))).toBe(true);
    }
  });

  it('needs "location " at bytes 4..12 exactly', () => {
    expect(isSynapseMacaroon(base64url('00201ocation example.org\n'))).toBe(false);
    expect(isSynapseMacaroon(base64url('0020 location example.org\n'))).toBe(false);
    expect(isSynapseMacaroon(base64url('0020location'))).toBe(false);
  });

  it('refuses standard-alphabet base64 (`+` and `/`), which a URL-safe decoder does not accept', () => {
    const standard = Buffer.from('0020location a/b?\n\xfb\xff', 'latin1').toString('base64');
    expect(standard).toMatch(/[+/]/);
    expect(isSynapseMacaroon(standard)).toBe(false);
  });

  it('refuses padding in the middle and non-canonical padding bits', () => {
    expect(isSynapseMacaroon(`${base64url('0020location x')}${MACAROON_FIXTURE}`)).toBe(false);
    const canonical = base64url('0020location ab\n');
    expect(canonical.endsWith('==')).toBe(true);
    expect(isSynapseMacaroon(canonical)).toBe(true);
    // Same bytes to a lenient decoder, but the last digit before `==` carries set padding bits.
    const at = canonical.length - 3;
    const digit = DIGITS.indexOf(canonical.charAt(at));
    const dirty = `${canonical.slice(0, at)}${DIGITS.charAt(digit | 1)}==`;
    expect(Buffer.from(dirty, 'base64url')).toEqual(Buffer.from(canonical, 'base64url'));
    expect(isSynapseMacaroon(dirty)).toBe(false);
  });
});

describe(legacySynapseTokenKind.name, () => {
  it('reads syt_ as a compat access token and syr_ as a compat refresh token, with no checksum', () => {
    expect(legacySynapseTokenKind('syt_YWxpY2U_bDhJZTjmQyNoQeWMaVhX_1BL3n8')).toBe('compat_access_token');
    expect(legacySynapseTokenKind('syr_YWxpY2U_bDhJZTjmQyNoQeWMaVhX_1BL3n8')).toBe('compat_refresh_token');
    expect(legacySynapseTokenKind('syt_')).toBe('compat_access_token');
  });

  it('reads a macaroon as a compat access token', () => {
    expect(legacySynapseTokenKind(MACAROON_FIXTURE)).toBe('compat_access_token');
  });

  it('is null for MAS tokens and garbage', () => {
    expect(legacySynapseTokenKind('mat_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_000000')).toBeNull();
    expect(legacySynapseTokenKind('SYT_abc')).toBeNull();
    expect(legacySynapseTokenKind('')).toBeNull();
  });
});

describe(isLegacySynapseToken.name, () => {
  it('is true exactly when a legacy kind is found', () => {
    expect(isLegacySynapseToken('syr_x')).toBe(true);
    expect(isLegacySynapseToken(MACAROON_FIXTURE)).toBe(true);
    expect(isLegacySynapseToken('mct_16tugBE5Ta9LIWoSJaAEHHq2g3fx8S_alcBB4')).toBe(false);
  });
});
