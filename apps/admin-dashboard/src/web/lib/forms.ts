/** The checks the forms make before asking the API (which checks again and has the last word). */

/** Matrix localparts as the auth service accepts them for new users (lower case, no leading _). */
const LOCALPART = /^[a-z0-9.=_\-/+]{1,255}$/;

export interface CreateUserInput {
  username: string;
  password: string;
  admin: boolean;
}

export type Problems<T> = Partial<Record<keyof T, string>>;

export function checkCreateUser(input: CreateUserInput): Problems<CreateUserInput> {
  const problems: Problems<CreateUserInput> = {};
  const username = input.username.trim();
  if (username === '') problems.username = 'Enter a username';
  else if (!LOCALPART.test(username))
    problems.username = 'Use lower-case letters, digits and . _ = - / + only';
  return problems;
}

export function checkPassword(password: string): string | null {
  // The auth service's own password policy has the last word; it answers with the reason.
  return password === '' ? 'Enter a password' : null;
}

export interface TokenInput {
  token: string;
  usageLimit: string;
  /** A `datetime-local` value. */
  expiresAt: string;
}

export interface TokenBody {
  token?: string;
  usage_limit?: number;
  expires_at?: string;
}

/** The registration token form as the API's body, or the problems with it. */
export function tokenBody(
  input: TokenInput,
  now: Date,
): { ok: true; body: TokenBody } | { ok: false; problems: Problems<TokenInput> } {
  const problems: Problems<TokenInput> = {};
  const body: TokenBody = {};
  const token = input.token.trim();
  if (token !== '') {
    if (!/^[A-Za-z0-9._~-]{1,64}$/.test(token))
      problems.token = 'Letters, digits and . _ ~ - only (up to 64)';
    else body.token = token;
  }
  const limit = input.usageLimit.trim();
  if (limit !== '') {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1) problems.usageLimit = 'A whole number of uses, 1 or more';
    else body.usage_limit = n;
  }
  if (input.expiresAt.trim() !== '') {
    const at = new Date(input.expiresAt);
    if (Number.isNaN(at.getTime())) problems.expiresAt = 'Not a date and time';
    else if (at <= now) problems.expiresAt = 'Must be in the future';
    else body.expires_at = at.toISOString();
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, body };
}
