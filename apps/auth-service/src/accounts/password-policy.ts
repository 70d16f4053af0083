import { zxcvbnScore } from './password-strength';

/**
 * The password rules for registration and password changes: a length window, cheap checks for the
 * worst choices, then zxcvbn's score against `minimumComplexity` as MAS does
 * (`passwords.minimum_complexity`, default 3). Unlike MAS, the user's own names (localpart, display
 * name, email addresses, server name) are given to zxcvbn as words an attacker tries first.
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
  /** A zxcvbn-style scorer (0-4); zxcvbn itself by default. */
  score?: (password: string, userInputs: readonly string[]) => number;
  /** The lowest acceptable score (MAS: `minimum_complexity`); default 3, 0 accepts any score. */
  minimumComplexity?: number;
}

/** Who the password is for: what an attacker who knows them would try first. */
export interface PasswordOwner {
  localpart: string;
  displayName?: string | null;
  /** The user's email addresses. */
  emails?: readonly string[];
  /** The homeserver's server name. */
  serverName?: string;
}

/**
 * The words zxcvbn matches as "user inputs": each name whole and split at separators, as people
 * build passwords from a first name, a surname or the part of an address before the @.
 */
export function passwordUserInputs(owner: PasswordOwner | null): string[] {
  if (owner === null) return [];
  const whole = [owner.localpart, owner.displayName ?? '', ...(owner.emails ?? []), owner.serverName ?? ''];
  const words = new Set<string>();
  for (const name of whole.map((w) => w.normalize('NFKC').toLowerCase().trim())) {
    if (name === '') continue;
    words.add(name);
    const [local = ''] = name.split('@');
    words.add(local);
    // Parts of three or more characters: shorter ones ("a", "de") would only make noise.
    for (const part of name.split(/[\s@._+\-=/:]+/)) if (Array.from(part).length >= 3) words.add(part);
    words.add(name.replace(/[\s@._+\-=/:]+/g, ''));
  }
  words.delete('');
  return [...words];
}

// The handful that tops every breach list: refused with a plainer message than zxcvbn's score.
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
 * The length window alone: what still applies when an operator skips the strength rules (MAS's
 * `skip_password_check`, `--ignore-complexity`), as the upper bound limits the hashing work.
 */
export function checkPasswordLength(
  password: string,
  policy: Pick<PasswordPolicy, 'minLength' | 'maxLength'> = {},
): 'too_short' | 'too_long' | null {
  // Code points of the NFKC form (what is hashed), as NIST SP 800-63B counts them: an emoji is one
  // character, not two UTF-16 units.
  const length = Array.from(password.normalize('NFKC')).length;
  if (length < (policy.minLength ?? 8)) return 'too_short';
  if (length > (policy.maxLength ?? 1024)) return 'too_long';
  return null;
}

/**
 * The first problem with `password` for `owner` (if known), or null when it is acceptable. Checks the NFKC form, as that is what gets hashed for Synapse-compatible schemes.
 */
export function checkPassword(
  password: string,
  owner: PasswordOwner | null = null,
  policy: PasswordPolicy = {},
): PasswordProblem | null {
  const localpart = owner?.localpart ?? null;
  const lengthProblem = checkPasswordLength(password, policy);
  if (lengthProblem !== null) return lengthProblem;
  const normalized = password.normalize('NFKC');
  const lower = normalized.toLowerCase();
  if (COMMON.has(lower) || new Set(lower).size === 1) return 'too_common';
  if (localpart !== null && localpart.length >= 3 && lower.includes(localpart.toLowerCase())) {
    return 'contains_username';
  }
  const minimum = policy.minimumComplexity ?? 3;
  // Score 0 is zxcvbn's floor: nothing to check (and the dictionaries need not be loaded).
  if (minimum > 0 && (policy.score ?? zxcvbnScore)(normalized, passwordUserInputs(owner)) < minimum) {
    return 'too_weak';
  }
  return null;
}
