import { parseServerName } from '@gateway/matrix';
import { isIP } from 'node:net';

/** A Matrix server name taken apart for server discovery (spec: "Resolving server names"). */
export interface ServerNameParts {
  /** Host without brackets: a DNS name, an IPv4 or an IPv6 address. */
  host: string;
  port: number | null;
  ipLiteral: boolean;
}

/**
 * Splits `host`, `host:port`, `1.2.3.4[:port]` or `[v6][:port]`; null when the name is not a valid
 * server name (bad characters, an unbracketed or malformed IPv6, a port outside 1-65535).
 */
export function splitServerName(name: string): ServerNameParts | null {
  if (parseServerName(name) === null) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name);
  if (!match) return null;
  const rawHost = match[1] ?? '';
  const bracketed = rawHost.startsWith('[');
  const host = bracketed ? rawHost.slice(1, -1) : rawHost;
  if (bracketed && isIP(host) !== 6) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host, port, ipLiteral: isIP(host) !== 0 };
}

/** `host` ready to be put in a URL or a Host header: IPv6 gets its brackets back. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** `host:port` as it appears in a URL authority or Host header. */
export function authority(host: string, port: number | null): string {
  return port === null ? urlHost(host) : `${urlHost(host)}:${port}`;
}
