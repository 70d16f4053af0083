import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  checkPasswordLength,
  PASSWORD_PROBLEM_MESSAGES,
  passwordUserInputs,
  type PasswordPolicy,
} from './password-policy';

// The length and blocklist rules alone, without zxcvbn's opinion.
const anyScore: PasswordPolicy = { score: () => 4 };
const alice = { localpart: 'alice' };

describe(checkPassword.name, () => {
  it('accepts a strong password, scored by zxcvbn by default', () => {
    expect(checkPassword('correct horse battery staple')).toBeNull();
    expect(checkPassword('Tr0ub4dor&3', alice)).toBeNull();
    expect(checkPassword('Jumbled-Orbit-Velvet-42', { ...alice, serverName: 'example.com' })).toBeNull();
  });

  it('refuses a long but guessable password as too weak', () => {
    expect(checkPassword('abcdefghijklmnop')).toBe('too_weak');
    expect(checkPassword('qwertyuiopasdfghjkl')).toBe('too_weak');
    expect(checkPassword('passwordpasswordpassword')).toBe('too_weak');
    expect(checkPassword('1234567890123456')).toBe('too_weak');
  });

  it("refuses a password built from the user's display name, email address or server name", () => {
    const margaret = {
      localpart: 'mt',
      displayName: 'Margaret Thistlewood',
      emails: ['quillfeather.k@mailbox.example'],
      serverName: 'zanzibarquay.org',
    };
    // Strong for a stranger, weak for someone who knows whose password it is.
    expect(checkPassword('margaretthistlewood')).toBeNull();
    expect(checkPassword('margaretthistlewood', margaret)).toBe('too_weak');
    expect(checkPassword('Thistlewood1985', margaret)).toBe('too_weak');
    expect(checkPassword('quillfeather.k')).toBeNull();
    expect(checkPassword('quillfeather.k', margaret)).toBe('too_weak');
    expect(checkPassword('zanzibarquay')).toBeNull();
    expect(checkPassword('zanzibarquay', margaret)).toBe('too_weak');
    expect(checkPassword('correct horse battery staple', margaret)).toBeNull();
  });

  it('honours the minimum complexity: 0 scores nothing, 4 asks for more than 3', () => {
    expect(checkPassword('abcdefghijklmnop', null, { minimumComplexity: 0 })).toBeNull();
    expect(checkPassword('Tr0ub4dor&3', alice, { minimumComplexity: 4 })).toBeNull();
    expect(checkPassword('s3cr3t!xyz', null, { minimumComplexity: 3 })).toBe('too_weak');
  });

  it('needs at least 8 characters, counted in code points', () => {
    expect(checkPassword('s3cr3t!', null, anyScore)).toBe('too_short');
    expect(checkPassword('s3cr3t!x', null, anyScore)).toBeNull();
    // Seven emoji are 14 UTF-16 units but still 7 characters.
    expect(checkPassword('😀🐱🎉🌍🚀🍕🎸', null, anyScore)).toBe('too_short');
  });

  it('measures the NFKC form (what is hashed)', () => {
    // U+FB01 (ﬁ) is one character that NFKC expands to "fi".
    expect(checkPassword('\uFB01\uFB01\uFB01x', null, anyScore)).toBe('too_short');
    expect(checkPassword('\uFB01\uFB01\uFB01\uFB01', null, anyScore)).toBeNull();
  });

  it('caps the length', () => {
    expect(checkPassword('ab'.repeat(512), null, anyScore)).toBeNull();
    expect(checkPassword(`${'ab'.repeat(512)}c`, null, anyScore)).toBe('too_long');
    expect(checkPassword('abcdefghijk', null, { ...anyScore, maxLength: 10 })).toBe('too_long');
  });

  it('honours a custom minimum length', () => {
    expect(checkPassword('abcdefghijk', null, { ...anyScore, minLength: 12 })).toBe('too_short');
  });

  it('refuses the most common passwords and single repeated characters, in any case', () => {
    expect(checkPassword('password', null, anyScore)).toBe('too_common');
    expect(checkPassword('PassWord123', null, anyScore)).toBe('too_common');
    expect(checkPassword('zzzzzzzzzz', null, anyScore)).toBe('too_common');
  });

  it('refuses passwords containing the username', () => {
    expect(checkPassword('my-alice-pass', alice, anyScore)).toBe('contains_username');
    expect(checkPassword('ALICE-rocks-2024', alice, anyScore)).toBe('contains_username');
    // Very short usernames would refuse too much.
    expect(checkPassword('bo-is-my-name', { localpart: 'bo' }, anyScore)).toBeNull();
  });

  it("applies a plugged-in scorer against the minimum complexity, with the user's names", () => {
    const inputs: (readonly string[])[] = [];
    const score = (_password: string, userInputs: readonly string[]) => {
      inputs.push(userInputs);
      return 2;
    };
    expect(checkPassword('long enough phrase', alice, { score })).toBe('too_weak');
    expect(checkPassword('long enough phrase', alice, { score, minimumComplexity: 2 })).toBeNull();
    expect(inputs[0]).toEqual(['alice']);
  });

  it('has a message for every problem', () => {
    for (const message of Object.values(PASSWORD_PROBLEM_MESSAGES)) expect(message).not.toBe('');
  });
});

describe(passwordUserInputs.name, () => {
  it('gives every name whole, without separators, and in parts of three or more characters', () => {
    const words = passwordUserInputs({
      localpart: 'j.doe',
      displayName: 'Jane van Doe',
      emails: ['Jane.Doe+chat@Example.org'],
      serverName: 'matrix.example.org',
    });
    expect(words).toEqual(
      expect.arrayContaining([
        'j.doe',
        'jdoe',
        'doe',
        'jane van doe',
        'janevandoe',
        'jane',
        'van',
        'jane.doe+chat@example.org',
        'jane.doe+chat',
        'chat',
        'matrix.example.org',
        'matrix',
        'example',
      ]),
    );
    expect(words).not.toContain('j');
    expect(words).not.toContain('');
  });

  it('is empty without an owner', () => {
    expect(passwordUserInputs(null)).toEqual([]);
  });
});

describe(checkPasswordLength.name, () => {
  it('checks only the length window', () => {
    expect(checkPasswordLength('password')).toBeNull();
    expect(checkPasswordLength('short')).toBe('too_short');
    expect(checkPasswordLength('x'.repeat(1025))).toBe('too_long');
  });
});
