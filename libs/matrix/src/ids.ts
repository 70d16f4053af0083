/**
 * Branded Matrix identifiers: a plain string must pass a parser before it is used as one, so a server
 * name or an arbitrary string can never be passed where a user id is expected. Only what the apps use is
 * here; add a branded id together with its first user.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type ServerName = Brand<string, 'ServerName'>;

// Server name grammar from the spec (appendices, "Server Name"): a DNS name, IPv4 or bracketed IPv6,
// optionally with a port.
const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Za-z.-]{1,255})(?::\d{1,5})?$/;
const LOCALPART = /^[!-9;-~]+$/; // printable ASCII except ':' (historical user ids are allowed)

export function parseServerName(value: string): ServerName | null {
  return SERVER_NAME.test(value) ? (value as ServerName) : null;
}

/** `@localpart:server`; returns null for anything that is not a well-formed user id. */
export function parseUserId(value: string): UserId | null {
  if (value.length > 255 || !value.startsWith('@')) return null;
  const colon = value.indexOf(':');
  if (colon < 2) return null;
  const localpart = value.slice(1, colon);
  const server = value.slice(colon + 1);
  return LOCALPART.test(localpart) && parseServerName(server) ? (value as UserId) : null;
}

export function serverNameOf(userId: UserId): ServerName {
  return userId.slice(userId.indexOf(':') + 1) as ServerName;
}

export function localpartOf(userId: UserId): string {
  return userId.slice(1, userId.indexOf(':'));
}
