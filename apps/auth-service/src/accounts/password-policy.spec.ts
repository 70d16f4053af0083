import { describe, expect, it } from 'vitest';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from './password-policy';

describe(checkPassword.name, () => {
  it('accepts a reasonable password', () => {
    expect(checkPassword('correct horse battery staple')).toBeNull();
    expect(checkPassword('Tr0ub4dor&3', 'alice')).toBeNull();
  });

  it('needs at least 8 characters, counted in code points', () => {
    expect(checkPassword('s3cr3t!')).toBe('too_short');
    expect(checkPassword('s3cr3t!x')).toBeNull();
    // Seven emoji are 14 UTF-16 units but still 7 characters.
    expect(checkPassword('😀🐱🎉🌍🚀🍕🎸')).toBe('too_short');
  });

  it('measures the NFKC form (what is hashed)', () => {
    // U+FB01 (ﬁ) is one character that NFKC expands to "fi".
    expect(checkPassword('\uFB01\uFB01\uFB01x')).toBe('too_short');
    expect(checkPassword('\uFB01\uFB01\uFB01\uFB01')).toBeNull();
  });

  it('caps the length', () => {
    expect(checkPassword('ab'.repeat(512))).toBeNull();
    expect(checkPassword(`${'ab'.repeat(512)}c`)).toBe('too_long');
    expect(checkPassword('abcdefghijk', null, { maxLength: 10 })).toBe('too_long');
  });

  it('honours a custom minimum length', () => {
    expect(checkPassword('abcdefghijk', null, { minLength: 12 })).toBe('too_short');
  });

  it('refuses the most common passwords and single repeated characters, in any case', () => {
    expect(checkPassword('password')).toBe('too_common');
    expect(checkPassword('PassWord123')).toBe('too_common');
    expect(checkPassword('zzzzzzzzzz')).toBe('too_common');
  });

  it('refuses passwords containing the username', () => {
    expect(checkPassword('my-alice-pass', 'alice')).toBe('contains_username');
    expect(checkPassword('ALICE-rocks-2024', 'alice')).toBe('contains_username');
    // Very short usernames would refuse too much.
    expect(checkPassword('bo-is-my-name', 'bo')).toBeNull();
  });

  it('applies a plugged-in scorer against the minimum complexity', () => {
    const inputs: (readonly string[])[] = [];
    const score = (_password: string, userInputs: readonly string[]) => {
      inputs.push(userInputs);
      return 2;
    };
    expect(checkPassword('long enough phrase', 'alice', { score })).toBe('too_weak');
    expect(checkPassword('long enough phrase', 'alice', { score, minimumComplexity: 2 })).toBeNull();
    expect(inputs[0]).toEqual(['alice']);
  });

  it('has a message for every problem', () => {
    for (const message of Object.values(PASSWORD_PROBLEM_MESSAGES)) expect(message).not.toBe('');
  });
});
