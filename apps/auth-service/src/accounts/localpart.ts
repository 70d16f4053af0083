import { localpartOf, parseUserId } from '@gateway/matrix';

/**
 * Which usernames (Matrix localparts) may be registered, following MAS's default policy
 * (https://github.com/element-hq/matrix-authentication-service/blob/main/policies/register/register.rego): `^[a-z0-9.=_/+-]+$`, not all digits, and a full user ID of at most 255
 * characters. Synapse has the last word (`is_localpart_available`); checking here first gives the
 * user a precise message instead of "not available".
 */

/** Why a localpart cannot be registered. */
export type LocalpartProblem =
  'empty' | 'invalid_characters' | 'all_numeric' | 'leading_underscore' | 'too_long' | 'banned';

/** What to tell the user for each problem. */
export const LOCALPART_PROBLEM_MESSAGES = {
  empty: 'Enter a username.',
  invalid_characters: 'Usernames may only contain a-z, 0-9 and . _ = - / +',
  all_numeric: 'Usernames cannot consist of digits only.',
  leading_underscore: 'Usernames cannot start with an underscore.',
  too_long: 'This username is too long.',
  banned: 'This username is not allowed.',
} as const satisfies Record<LocalpartProblem, string>;

/** Operator-configured banned usernames, in MAS's five flavours. */
export interface BannedUsernames {
  literals?: readonly string[];
  substrings?: readonly string[];
  regexes?: readonly RegExp[];
  prefixes?: readonly string[];
  suffixes?: readonly string[];
}

const LOCALPART = /^[a-z0-9.=_/+-]+$/;
// Synapse keeps all-digit localparts for guests.
const ALL_DIGITS = /^[0-9]+$/;
const MAX_USER_ID_LENGTH = 255;

/** The longest localpart whose user ID `@<localpart>:<serverName>` still fits in 255 characters. */
export function maxLocalpartLength(serverName: string): number {
  return MAX_USER_ID_LENGTH - serverName.length - 2;
}

/** The first problem with registering `localpart` on `serverName`, or null when it is acceptable. */
export function checkLocalpart(
  localpart: string,
  serverName: string,
  banned: BannedUsernames = {},
): LocalpartProblem | null {
  if (localpart === '') return 'empty';
  if (!LOCALPART.test(localpart)) return 'invalid_characters';
  if (ALL_DIGITS.test(localpart)) return 'all_numeric';
  // Synapse's registration refuses these (appservice and internal users start with `_`); its
  // availability check would answer M_INVALID_USERNAME, which the user would only see as "taken".
  if (localpart.startsWith('_')) return 'leading_underscore';
  if (localpart.length > maxLocalpartLength(serverName)) return 'too_long';
  return isBanned(localpart, banned) ? 'banned' : null;
}

function isBanned(localpart: string, banned: BannedUsernames): boolean {
  return (
    (banned.literals ?? []).includes(localpart) ||
    (banned.substrings ?? []).some((part) => localpart.includes(part)) ||
    (banned.regexes ?? []).some((regex) =>
      new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')).test(localpart),
    ) ||
    (banned.prefixes ?? []).some((prefix) => localpart.startsWith(prefix)) ||
    (banned.suffixes ?? []).some((suffix) => localpart.endsWith(suffix))
  );
}

/**
 * The localpart a user typed at a login form: either a bare localpart or a full user ID on this
 * server (`@alice:example.com`, a frequent source of confusion). Null for a user ID on another server
 * or anything malformed. Case is kept; the lookup decides how to compare.
 */
export function localpartFromLoginIdentifier(input: string, serverName: string): string | null {
  const value = input.trim();
  if (!value.startsWith('@')) return value === '' || value.includes(':') ? null : value;
  const userId = parseUserId(value);
  if (userId === null || value.slice(value.indexOf(':') + 1) !== serverName) return null;
  return localpartOf(userId);
}
