import { createHash } from 'node:crypto';

/**
 * A digest of a sync request's body without the fields that do not change its answer (`pos`, `timeout`,
 * `txn_id`, `set_presence`): two requests with one signature, on one connection at one position, get
 * the same answer (see `Translation.signature`). Key order counts, so a client that reorders its body
 * only loses the shortcut, never an answer. A digest, so that a replica holding many idle connections
 * keeps 44 bytes for each instead of its body. Undefined when the body cannot be serialised.
 */
export function requestSignature(body: Record<string, unknown>, omit: readonly string[]): string | undefined {
  const kept = Object.entries(body).filter(([key]) => !omit.includes(key));
  let json: string;
  try {
    json = JSON.stringify(kept);
  } catch {
    // Nesting JSON.parse accepted but JSON.stringify's recursion cannot walk (a RangeError; found by
    // the security tier's fuzzing, as a 500): such a request simply gets no shortcut.
    return undefined;
  }
  return createHash('sha256').update(json).digest('base64');
}
