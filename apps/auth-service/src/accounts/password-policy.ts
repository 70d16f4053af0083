/**
 * The password rules for registration and password changes. MAS scores passwords with zxcvbn
 * (`minimum_complexity`, default 3); zxcvbn is not a dependency yet, so the
 * default here is a length floor plus cheap checks for the worst choices, and a scorer can be plugged
 * in without changing callers.
 */

/** Why a password is refused. */
export type PasswordProblem = 'too_short' | 'too_long' | 'too_common' | 'contains_username' | 'too_weak';

/** What to tell the user for each problem. */
export const PASSWORD_PROBLEM_MESSAGES = {
  too_short: 'This password is too short.',
  too_long: 'This password is too long.',
  too_common: 'This password is too common.',
  contains_username: 'The password must not contain your username.',
  too_weak: 'This password is too easy to guess.',
} as const satisfies Record<PasswordProblem, string>;

/** Tunables of {@link checkPassword}. */
export interface PasswordPolicy {
  /** In code points after NFKC normalisation. Default 8. */
  minLength?: number;
  /** Bounds the work a hash costs an attacker to make us do. Default 1024. */
  maxLength?: number;
  /** A zxcvbn-style scorer (0-4) with `minimumComplexity` (default 3). */
  score?: (password: string, userInputs: readonly string[]) => number;
  minimumComplexity?: number;
}

// The handful that tops every breach list; a stopgap until a real scorer is configured.
const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '12345678',
  '123456789',
  '1234567890',
  'qwertyuiop',
  'qwerty123',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'welcome1',
  'abc12345',
  'letmein1',
  'trustno1',
  'passw0rd',
  '11111111',
  '00000000',
  'azertyuiop',
  'matrix123',
  'element123',
]);

/**
 * The first problem with `password` for the user `localpart` (if known), or null when it is
 * acceptable. Checks the NFKC form, as that is what gets hashed for Synapse-compatible schemes.
 */
export function checkPassword(
  password: string,
  localpart: string | null = null,
  policy: PasswordPolicy = {},
): PasswordProblem | null {
  const normalized = password.normalize('NFKC');
  // Code points, as NIST SP 800-63B counts them: an emoji is one character, not two UTF-16 units.
  const length = Array.from(normalized).length;
  if (length < (policy.minLength ?? 8)) return 'too_short';
  if (length > (policy.maxLength ?? 1024)) return 'too_long';
  const lower = normalized.toLowerCase();
  if (COMMON.has(lower) || new Set(lower).size === 1) return 'too_common';
  if (localpart !== null && localpart.length >= 3 && lower.includes(localpart.toLowerCase())) {
    return 'contains_username';
  }
  if (
    policy.score &&
    policy.score(normalized, localpart === null ? [] : [localpart]) < (policy.minimumComplexity ?? 3)
  ) {
    return 'too_weak';
  }
  return null;
}
