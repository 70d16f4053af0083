import { splitServerName } from './server-name';

/**
 * `LIVEKIT_FEDERATION_URL_OVERRIDES`: `server.name=http://host:port[,...]`. Maps a Matrix server name to
 * the base URL its federation API is reached at, skipping discovery and the SSRF guard. It covers what
 * discovery cannot: split-horizon and in-cluster homeservers, and test beds like Synapse on
 * `http://127.0.0.1:18448` for `localhost` (the long-requested `USER_INFO_HOST_OVERRIDE`,
 * lk-jwt-service#132). Same shape and error text as upstream's `LIVEKIT_CS_API_URL_OVERRIDES`.
 */

export const FEDERATION_URL_OVERRIDES_VAR = 'LIVEKIT_FEDERATION_URL_OVERRIDES';

/**
 * Parses the variable into server name → base URL (no trailing slash; a path prefix is kept).
 * @throws Error naming the first bad entry; the config layer turns it into a start-up failure.
 */
export function parseFederationUrlOverrides(
  raw: string | undefined,
  variable = FEDERATION_URL_OVERRIDES_VAR,
): ReadonlyMap<string, string> {
  const overrides = new Map<string, string>();
  for (const entry of (raw ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const invalid = new Error(
      `failed parsing ${variable}: invalid entry "${trimmed}", expected server_name=url`,
    );
    const equals = trimmed.indexOf('=');
    if (equals === -1) throw invalid;
    const name = trimmed.slice(0, equals).trim().toLowerCase();
    const url = baseUrl(trimmed.slice(equals + 1).trim());
    if (splitServerName(name) === null || url === null) throw invalid;
    if (overrides.has(name)) throw new Error(`failed parsing ${variable}: duplicate entry for "${name}"`);
    overrides.set(name, url);
  }
  return overrides;
}

/** Looks a server name up case-insensitively (DNS names are). */
export function overrideFor(overrides: ReadonlyMap<string, string>, serverName: string): string | undefined {
  return overrides.get(serverName.toLowerCase());
}

function baseUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const ok =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  return ok ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : null;
}
