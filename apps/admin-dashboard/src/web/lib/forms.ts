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

/** The scopes an admin may give a personal token here, as the auth service's token rules allow them. */
export const PERSONAL_TOKEN_SCOPES = [
  { scope: 'urn:matrix:client:api:*', label: 'Matrix client API', adminOnly: false },
  { scope: 'urn:synapse:admin:*', label: 'Synapse admin API (needs the Matrix client API)', adminOnly: true },
  { scope: 'urn:mas:admin', label: 'This gateway’s admin API', adminOnly: true },
] as const;

export type PersonalTokenScope = (typeof PERSONAL_TOKEN_SCOPES)[number]['scope'];

/** The auth service's bounds on a personal token's life: 60 s to 366 days; none is "never expires". */
export const MAX_TOKEN_DAYS = 366;

export interface PersonalTokenInput {
  username: string;
  name: string;
  scopes: PersonalTokenScope[];
  /** Whole days; empty: never expires. */
  expiresInDays: string;
}

export interface PersonalTokenBody {
  human_name: string;
  scope: string;
  expires_in?: number;
}

/** Days as the API's `expires_in` seconds, or why not; empty is `null` (never). */
export function expiryDays(
  days: string,
): { ok: true; seconds: number | null } | { ok: false; problem: string } {
  const d = days.trim();
  if (d === '') return { ok: true, seconds: null };
  if (!/^\d+$/.test(d) || Number(d) < 1 || Number(d) > MAX_TOKEN_DAYS)
    return { ok: false, problem: `A whole number of days, 1 to ${MAX_TOKEN_DAYS}` };
  return { ok: true, seconds: Number(d) * 24 * 3600 };
}

/**
 * The personal token form as the username to look up and the API's body, or the problems with it.
 * The auth service has the last word (an admin scope for a non-admin is refused there).
 */
export function personalTokenBody(
  input: PersonalTokenInput,
):
  | { ok: true; username: string; body: PersonalTokenBody }
  | { ok: false; problems: Problems<PersonalTokenInput> } {
  const problems: Problems<PersonalTokenInput> = {};
  const username = input.username.trim().replace(/^@/, '').replace(/:.*$/, '');
  if (username === '') problems.username = 'Enter the username the token acts as';
  const name = input.name.trim();
  if (name === '') problems.name = 'Give the token a name';
  else if (name.length > 100) problems.name = 'At most 100 characters';
  if (input.scopes.length === 0) problems.scopes = 'Choose at least one scope';
  else if (input.scopes.includes('urn:synapse:admin:*') && !input.scopes.includes('urn:matrix:client:api:*'))
    problems.scopes = 'The Synapse admin API needs the Matrix client API too';
  const expiry = expiryDays(input.expiresInDays);
  if (!expiry.ok) problems.expiresInDays = expiry.problem;
  if (Object.keys(problems).length > 0 || !expiry.ok) return { ok: false, problems };
  // In the order the auth service lists them, so the stored scope reads the same every time.
  const scope = PERSONAL_TOKEN_SCOPES.map((s) => s.scope)
    .filter((s) => input.scopes.includes(s))
    .join(' ');
  return {
    ok: true,
    username,
    body: { human_name: name, scope, ...(expiry.seconds === null ? {} : { expires_in: expiry.seconds }) },
  };
}
