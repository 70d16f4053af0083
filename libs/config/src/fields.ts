import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Reusable variable parsers. Each takes the raw string from the environment and yields a typed value,
 * with an error message that reads well after the variable's name.
 */

export interface BindAddress {
  host: string;
  port: number;
}

/**
 * `host:port`, `:port` (all interfaces, as Go's net.Listen reads it), `[v6]:port`, or a bare port.
 */
export function parseBindAddress(value: string): BindAddress | null {
  const trimmed = value.trim();
  const m = /^\d{1,5}$/.test(trimmed)
    ? [trimmed, undefined, '', trimmed]
    : /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(trimmed);
  if (!m) return null;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) return null;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** A bind address that may be left unset (a listener that is off unless configured). */
export const optionalBindAddress = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const parsed = parseBindAddress(v);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not an address like 127.0.0.1:9090 or :9090` });
        return z.NEVER;
      }
      return parsed;
    });

export const bindAddress = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const parsed = parseBindAddress(v);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not an address like 0.0.0.0:8080 or :8080` });
        return z.NEVER;
      }
      return parsed;
    });

export const httpUrl = () =>
  z.string().refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const anyUrl = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')}`,
  );

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
export const boolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const lower = v.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a boolean (true/false)` });
      return z.NEVER;
    });

export const integer = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Comma-separated list; blanks around items and empty items are dropped. */
export const commaList = () =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );

/** One address or CIDR block (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`); null if it is neither. */
export function parseCidr(value: string): string | null {
  const [address = '', prefix, extra] = value.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return null;
  if (prefix === undefined) return address;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits <= (family === 4 ? 32 : 128) ? `${address}/${bits}` : null;
}

/**
 * A comma-separated list of addresses and CIDR blocks, e.g. trusted reverse proxies; empty when unset.
 * Every entry must parse: a typo must not silently trust nobody (or everybody).
 */
export const cidrList = () =>
  commaList().transform((entries, ctx) => {
    const out: string[] = [];
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if (parsed === null) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR block` });
        return z.NEVER;
      }
      out.push(parsed);
    }
    return out;
  });

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A level name as operators write it: any case, Go's and LiveKit's `warning` for `warn`. Null when unknown,
 * so a caller that must tolerate bad values (the rtc service warns and keeps `info`, as lk-jwt-service
 * does) can decide for itself.
 */
export function parseLogLevel(value: string): LogLevel | null {
  const lower = value.trim().toLowerCase() === 'warning' ? 'warn' : value.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : null;
}

/** Accepts the usual spellings (Go's `warning`, upper case) and maps them onto pino's levels. */
export const logLevel = (fallback: LogLevel = 'info') =>
  z
    .string()
    .optional()
    .transform((v, ctx): LogLevel => {
      if (v === undefined) return fallback;
      const level = parseLogLevel(v);
      if (level !== null) return level;
      ctx.addIssue({ code: 'custom', message: `"${v}" is not one of ${LOG_LEVELS.join(', ')}` });
      return z.NEVER;
    });
