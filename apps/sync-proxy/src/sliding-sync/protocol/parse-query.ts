import { MatrixError } from '@gateway/matrix';
import type { SyncPos, SyncQuery } from './sync-request';

/**
 * The longest long-poll the proxy honours. Larger requests are clamped, not refused: a server may always
 * answer before the timeout, and a bounded wait keeps a parked request (and the connection state it pins)
 * inside reverse proxies' idle timeouts and the shutdown grace period; the client simply polls again.
 */
export const MAX_SYNC_TIMEOUT_MS = 120_000;

/** A decimal position without leading zeros that is a safe integer (at most 16 digits, checked below). */
const POS = /^[1-9]\d{0,15}$/;

/**
 * Parses `?pos=&timeout=` as Fastify hands them over (a string, or an array when repeated: the first one
 * counts). `timeout` is checked first, as Synapse does, with Synapse's texts.
 */
export function parseSyncQuery(query: Record<string, unknown>): SyncQuery {
  const timeout = first(query, 'timeout');
  const pos = first(query, 'pos');
  return {
    timeoutMs: timeout === undefined ? 0 : parseTimeout(timeout),
    pos: pos === undefined ? undefined : parsePos(pos),
  };
}

/** The wire form of a position, the inverse of what {@link parseSyncQuery} accepts. */
export function formatPos(pos: SyncPos): string {
  // A position the parser would refuse would strand the client in a loop of 400s: fail here instead.
  if (!Number.isSafeInteger(pos.position) || pos.position < 1) {
    throw new RangeError(`Not a valid sync position: ${String(pos.position)}`);
  }
  return String(pos.position);
}

function parseTimeout(value: unknown): number {
  if (typeof value === 'string' && /^-\d+$/.test(value)) {
    throw new MatrixError('M_INVALID_PARAM', 'Query parameter timeout must be a positive integer.');
  }
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new MatrixError('M_INVALID_PARAM', 'Query parameter timeout must be an integer');
  }
  // Number() of a very long digit string is Infinity, which the clamp handles too.
  return Math.min(Number(value), MAX_SYNC_TIMEOUT_MS);
}

function parsePos(value: unknown): SyncPos {
  if (typeof value !== 'string' || !POS.test(value) || !Number.isSafeInteger(Number(value))) {
    // Synapse's status and text for a token it cannot parse; M_UNKNOWN_POS is for a valid but expired one.
    throw new MatrixError('M_UNKNOWN', 'Invalid stream token', { status: 400 });
  }
  return { position: Number(value) };
}

/** The first value of a query parameter; own properties only, since Fastify may hand over a plain object. */
function first(query: Record<string, unknown>, key: string): unknown {
  const value: unknown = Object.hasOwn(query, key) ? query[key] : undefined;
  return Array.isArray(value) ? (value as unknown[])[0] : value;
}
