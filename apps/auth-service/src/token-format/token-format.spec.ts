import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { below, mutate, pick, randomText } from '../../test/support/fuzz-inputs';
import {
  checkToken,
  generateToken,
  hashToken,
  parseToken,
  TOKEN_PREFIXES,
  type TokenKind,
} from './token-format';

const KINDS = Object.keys(TOKEN_PREFIXES) as TokenKind[];
// The fixtures MAS's own test suite uses (https://github.com/element-hq/matrix-authentication-service/blob/main/crates/data-model/src/tokens.rs), verbatim.
const MAS_FIXTURES = [
  'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3',
  'mct_16tugBE5Ta9LIWoSJaAEHHq2g3fx8S_alcBB4',
  'mct_Xl3bbpfh9yNy9NzuRxyR3b3PLW0rqd_DiXAH2',
] as const;

describe(generateToken.name, () => {
  it('reproduces the worked example from its random part', () => {
    expect(generateToken('compat_refresh_token', () => '42oTpLoieH5IecxG6gZXyvelQWW9Xq')).toBe(
      'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3',
    );
  });

  it('reproduces the compat access token fixtures', () => {
    expect(generateToken('compat_access_token', () => '16tugBE5Ta9LIWoSJaAEHHq2g3fx8S')).toBe(
      MAS_FIXTURES[1],
    );
    expect(generateToken('compat_access_token', () => 'Xl3bbpfh9yNy9NzuRxyR3b3PLW0rqd')).toBe(
      MAS_FIXTURES[2],
    );
  });

  it.each([
    ['access_token', 'mat'],
    ['refresh_token', 'mar'],
    ['compat_access_token', 'mct'],
    ['compat_refresh_token', 'mcr'],
    ['personal_access_token', 'mpt'],
  ] as const)('gives a %s the prefix %s_', (kind, prefix) => {
    expect(generateToken(kind)).toMatch(new RegExp(`^${prefix}_[A-Za-z0-9]{30}_[0-9A-Za-z]{6}$`));
  });

  it('asks for exactly 30 random characters', () => {
    const lengths: number[] = [];
    generateToken('access_token', (length) => {
      lengths.push(length);
      return 'a'.repeat(length);
    });
    expect(lengths).toEqual([30]);
  });

  it('produces tokens its own parser accepts as the same kind', () => {
    for (const kind of KINDS) {
      for (let i = 0; i < 50; i++) {
        expect(parseToken(generateToken(kind))).toEqual({ kind, valid: true, legacy: false });
      }
    }
  });

  it('never repeats a token', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => generateToken('access_token')));
    expect(seen.size).toBe(2000);
  });
});

describe(checkToken.name, () => {
  it.each(MAS_FIXTURES)('accepts the MAS fixture %s', (token) => {
    expect(checkToken(token)).toEqual({
      ok: true,
      kind: token.startsWith('mcr') ? 'compat_refresh_token' : 'compat_access_token',
      legacy: false,
    });
  });

  it('tells a wrong checksum (invalid_crc) from an unknown prefix and a bad shape', () => {
    expect(checkToken('mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_3N5g8a')).toEqual({
      ok: false,
      error: 'invalid_crc',
      kind: 'compat_refresh_token',
    });
    expect(checkToken('mxt_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3')).toEqual({
      ok: false,
      error: 'unknown_prefix',
      kind: null,
    });
    expect(checkToken('mcr_42oTpLoieH5IecxG6gZXyvelQWW9X_a8g5N3')).toEqual({
      ok: false,
      error: 'invalid_format',
      kind: null,
    });
  });

  it.each([
    ['an upper-case prefix', 'MCR_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3', 'unknown_prefix'],
    ['a fourth part', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3_x', 'invalid_format'],
    ['a missing checksum', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq', 'invalid_format'],
    ['a 7-character checksum', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N30', 'invalid_format'],
    ['a non-alphanumeric body', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9X-_a8g5N3', 'invalid_format'],
    ['a non-alphanumeric checksum', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N-', 'invalid_format'],
    ['surrounding whitespace', ' mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3', 'invalid_format'],
    ['a trailing newline', 'mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq_a8g5N3\n', 'invalid_format'],
    ['the empty string', '', 'invalid_format'],
  ])('rejects %s as %s', (_what, token, error) => {
    expect(checkToken(token)).toMatchObject({ ok: false, error });
  });

  it('catches every single-character typo in the random part', () => {
    const token = MAS_FIXTURES[0];
    for (let i = 4; i < 34; i++) {
      const typo = token.slice(0, i) + (token[i] === 'x' ? 'y' : 'x') + token.slice(i + 1);
      expect(checkToken(typo)).toMatchObject({ ok: false, error: 'invalid_crc' });
    }
  });

  it('short-circuits legacy Synapse tokens before any shape or checksum check', () => {
    expect(checkToken('syt_anything')).toEqual({ ok: true, kind: 'compat_access_token', legacy: true });
    expect(checkToken('syr_anything')).toEqual({ ok: true, kind: 'compat_refresh_token', legacy: true });
    expect(checkToken('MDAxYmxvY2F0aW9uIGxpYnJlcHVzaC5uZXQKMDAx')).toEqual({
      ok: true,
      kind: 'compat_access_token',
      legacy: true,
    });
  });
});

describe(parseToken.name, () => {
  it('returns the kind of a valid token', () => {
    expect(parseToken(MAS_FIXTURES[0])).toEqual({ kind: 'compat_refresh_token', valid: true, legacy: false });
  });

  it('returns valid: false for the right shape and prefix but a wrong checksum', () => {
    expect(parseToken('mct_16tugBE5Ta9LIWoSJaAEHHq2g3fx8S_alcBB5')).toEqual({
      kind: 'compat_access_token',
      valid: false,
      legacy: false,
    });
  });

  it('returns null for anything that is not a token at all', () => {
    for (const value of ['', 'Bearer x', 'mat_', 'abc_def_ghi', 'eyJhbGciOiJIUzI1NiJ9.e30.x']) {
      expect(parseToken(value)).toBeNull();
    }
  });

  it('marks legacy Synapse tokens valid and legacy', () => {
    expect(parseToken('syt_YWxpY2U_bDhJZTjmQyNoQeWMaVhX_1BL3n8')).toEqual({
      kind: 'compat_access_token',
      valid: true,
      legacy: true,
    });
  });

  it('never throws and never accepts a random or mutated string it did not issue (fuzz)', () => {
    const next = seededRandom(0x70c3);
    const issued = KINDS.map((kind) => generateToken(kind));
    for (let round = 0; round < 20_000; round++) {
      const value =
        round % 2 === 0 ? randomText(next, below(next, 2) === 0 ? 12 : 60) : mutate(next, pick(next, issued));
      const parsed = parseToken(value);
      if (parsed?.valid === true && !parsed.legacy) {
        // A mutation may land on another valid token only by a 1-in-2^32 CRC collision.
        expect(issued).toContain(value);
      }
    }
  });

  it('handles a megabyte of input without trouble', () => {
    expect(parseToken('m'.repeat(1 << 20))).toBeNull();
    expect(parseToken(`syt_${'x'.repeat(1 << 20)}`)).toMatchObject({ legacy: true });
  });
});

describe(hashToken.name, () => {
  it('is the hex SHA-256 of the token text', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('differs for tokens that differ by one character', () => {
    expect(hashToken(MAS_FIXTURES[1])).not.toBe(hashToken(MAS_FIXTURES[2]));
    expect(hashToken(MAS_FIXTURES[1])).toMatch(/^[0-9a-f]{64}$/);
  });
});
