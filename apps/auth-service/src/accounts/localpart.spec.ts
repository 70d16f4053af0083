import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import {
  checkLocalpart,
  LOCALPART_PROBLEM_MESSAGES,
  localpartFromLoginIdentifier,
  maxLocalpartLength,
} from './localpart';
import { randomText } from '../../test/support/fuzz-inputs';

const SERVER = 'example.com';

describe(checkLocalpart.name, () => {
  it.each(['alice', 'a', 'bob.smith', 'x=y', 'under_score', 'dash-ed', 'sla/sh', 'plus+tag', 'r2d2', '0x'])(
    'accepts %s',
    (localpart) => {
      expect(checkLocalpart(localpart, SERVER)).toBeNull();
    },
  );

  it.each([
    ['', 'empty'],
    ['Alice', 'invalid_characters'],
    ['al ice', 'invalid_characters'],
    ['alice:x', 'invalid_characters'],
    ['@alice', 'invalid_characters'],
    ['élise', 'invalid_characters'],
    ['alice\n', 'invalid_characters'],
    ['12345', 'all_numeric'],
    ['0', 'all_numeric'],
    ['_bridge', 'leading_underscore'],
  ])('refuses %j as %s', (localpart, problem) => {
    expect(checkLocalpart(localpart, SERVER)).toBe(problem);
  });

  it('keeps the full user ID within 255 characters', () => {
    const longest = 'a'.repeat(maxLocalpartLength(SERVER));
    expect(`@${longest}:${SERVER}`).toHaveLength(255);
    expect(checkLocalpart(longest, SERVER)).toBeNull();
    expect(checkLocalpart(`${longest}a`, SERVER)).toBe('too_long');
  });

  it('applies the five kinds of banned usernames', () => {
    const banned = {
      literals: ['admin'],
      substrings: ['matrix'],
      regexes: [/^support\d*$/g],
      prefixes: ['sys.'],
      suffixes: ['-bot'],
    };
    for (const localpart of ['admin', 'mymatrixname', 'support', 'support42', 'sys.root', 'news-bot']) {
      expect(checkLocalpart(localpart, SERVER, banned)).toBe('banned');
    }
    for (const localpart of ['administrator', 'supporter', 'mysys.x', 'bot-news']) {
      expect(checkLocalpart(localpart, SERVER, banned)).toBeNull();
    }
  });

  it('gives the same answer every time for global regexes (no lastIndex carry-over)', () => {
    const banned = { regexes: [/root/g] };
    expect([1, 2, 3].map(() => checkLocalpart('root', SERVER, banned))).toEqual([
      'banned',
      'banned',
      'banned',
    ]);
  });

  it('has a message for every problem', () => {
    for (const message of Object.values(LOCALPART_PROBLEM_MESSAGES)) expect(message).not.toBe('');
  });

  it('accepts only strings made of the allowed characters (fuzz)', () => {
    const next = seededRandom(0x10ca1);
    for (let round = 0; round < 5000; round++) {
      const value = randomText(next, 20);
      if (checkLocalpart(value, SERVER) === null) expect(value).toMatch(/^[a-z0-9.=_/+-]+$/);
    }
  });
});

describe(localpartFromLoginIdentifier.name, () => {
  it('takes a bare localpart as is, trimmed', () => {
    expect(localpartFromLoginIdentifier('alice', SERVER)).toBe('alice');
    expect(localpartFromLoginIdentifier('  Alice ', SERVER)).toBe('Alice');
  });

  it('takes the localpart of a full user ID on this server', () => {
    expect(localpartFromLoginIdentifier('@alice:example.com', SERVER)).toBe('alice');
    expect(localpartFromLoginIdentifier('@alice:example.com:8448', 'example.com:8448')).toBe('alice');
  });

  it('refuses user IDs on other servers and malformed input', () => {
    expect(localpartFromLoginIdentifier('@alice:other.org', SERVER)).toBeNull();
    expect(localpartFromLoginIdentifier('@alice', SERVER)).toBeNull();
    expect(localpartFromLoginIdentifier('alice:example.com', SERVER)).toBeNull();
    expect(localpartFromLoginIdentifier('', SERVER)).toBeNull();
    expect(localpartFromLoginIdentifier('@:example.com', SERVER)).toBeNull();
  });
});
