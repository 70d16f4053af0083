import { randomAlphanumeric } from '../token-format/random-string';
import {
  API_SCOPES,
  deviceScope,
  MAS_ADMIN_SCOPE,
  parseScope,
  SYNAPSE_ADMIN_SCOPE,
  type MatrixScopeGrant,
} from '../scopes/matrix-scopes';
import { OAuthError } from '../oauth-error';

/**
 * What a personal access token may be: who may hold which scope, how long it may live, what it is
 * called. Pure functions, shared by the account page and the admin API.
 */

/** The longest life a personal token may be given (a year and a day: "one year" picked on the 29th of February). */
export const MAX_LIFETIME_SECONDS = 366 * 24 * 3600;
/** Shorter than a minute is a mistake, not a token. */
export const MIN_LIFETIME_SECONDS = 60;
export const MAX_NAME_LENGTH = 100;
/** Generated device IDs: long enough for MAS's device-scope rule (at least 10 characters). */
const DEVICE_ID_LENGTH = 10;

/** Who the token acts as, as far as the scope rules care. */
export interface TokenHolder {
  /** The user's admin flag (MAS's `can_request_admin`). */
  admin: boolean;
}

export type ScopeDecision =
  | { ok: true; scope: string; grant: MatrixScopeGrant; deviceId: string | null }
  | { ok: false; reason: string };

/**
 * The scope a personal token of `holder` gets for `requested`: only the Matrix client API (with one
 * device), `urn:synapse:admin:*` and `urn:mas:admin` — the two admin scopes for admins only — as MAS's
 * policy allows for interactive grants. A token with the Matrix API always has a device: named in the
 * request, or a fresh one, so that revoking the token can delete the device and Synapse refuses the
 * token at once, whatever it cached.
 */
export function personalTokenScope(
  requested: string,
  holder: TokenHolder,
  newDeviceId: () => string = () => randomAlphanumeric(DEVICE_ID_LENGTH),
): ScopeDecision {
  let grant: MatrixScopeGrant;
  try {
    grant = parseScope(requested.trim().replace(/\s+/g, ' '));
  } catch (err) {
    if (err instanceof OAuthError) return { ok: false, reason: err.description };
    throw err;
  }
  if (grant.scopes.length === 0) return { ok: false, reason: 'the token needs at least one scope' };
  const unknown = [...grant.other, ...(grant.openid ? ['openid'] : []), ...(grant.email ? ['email'] : [])];
  if (grant.masGraphql) unknown.push('urn:mas:graphql:*');
  if (unknown.length > 0)
    return { ok: false, reason: `a personal token cannot carry ${unknown.sort().join(', ')}` };
  if ((grant.synapseAdmin || grant.masAdmin) && !holder.admin)
    return { ok: false, reason: 'only an administrator may have an admin scope' };
  if (grant.synapseAdmin && grant.api.length === 0)
    return { ok: false, reason: `${SYNAPSE_ADMIN_SCOPE} needs the Matrix API scope` };
  if (grant.api.length === 0) return { ok: true, scope: grant.scopes.join(' '), grant, deviceId: null };
  if (grant.device !== null)
    return { ok: true, scope: grant.scopes.join(' '), grant, deviceId: grant.device.id };
  const form = grant.api.includes('stable') ? 'stable' : 'unstable';
  const withDevice = parseScope([...grant.scopes, deviceScope(newDeviceId(), form)].join(' '));
  return {
    ok: true,
    scope: withDevice.scopes.join(' '),
    grant: withDevice,
    deviceId: withDevice.device?.id ?? null,
  };
}

/** The scopes the account page offers the user, by what they may hold. */
export function offeredScopes(holder: TokenHolder): string[] {
  return [API_SCOPES.stable, ...(holder.admin ? [SYNAPSE_ADMIN_SCOPE, MAS_ADMIN_SCOPE] : [])];
}

/** The lifetime in seconds, or why it is refused; null (no expiry) only where `mayBeEndless`. */
export function checkLifetime(
  seconds: number | null,
  mayBeEndless: boolean,
): { ok: true; seconds: number | null } | { ok: false; reason: string } {
  if (seconds === null)
    return mayBeEndless ? { ok: true, seconds } : { ok: false, reason: 'an expiry is required' };
  if (!Number.isInteger(seconds) || seconds < MIN_LIFETIME_SECONDS || seconds > MAX_LIFETIME_SECONDS)
    return {
      ok: false,
      reason: `the lifetime must be ${MIN_LIFETIME_SECONDS} to ${MAX_LIFETIME_SECONDS} seconds`,
    };
  return { ok: true, seconds };
}

const hasControl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

/** The name as stored, or null when it is empty or too long. */
export function tokenName(value: string | undefined): string | null {
  const name = (value ?? '').trim();
  if (name === '' || name.length > MAX_NAME_LENGTH || hasControl(name)) return null;
  return name;
}
