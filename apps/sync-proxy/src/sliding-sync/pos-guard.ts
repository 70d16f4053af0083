import { MatrixError } from '@gateway/matrix';
import type { ConnectionRow } from '@gateway/sync-data';

/** Which stored state a request's `pos` continues from. */
export type PosMatch = 'pending' | 'committed';

/**
 * A `pos` is valid only for its own connection, and only if it is the last answer's position (the
 * client got it: promote) or the one before (that answer was lost: recompute from committed).
 */
export function matchPos(conn: ConnectionRow | null, position: number): PosMatch {
  if (conn !== null && conn.pendingPos === position) return 'pending';
  if (conn !== null && conn.committedPos === position) return 'committed';
  throw new MatrixError('M_UNKNOWN_POS', 'Unknown position');
}
