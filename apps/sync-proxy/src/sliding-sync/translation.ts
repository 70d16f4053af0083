import type { SyncRequest } from './protocol/sync-request';
import type { SyncResponse } from './protocol/sync-response';

/**
 * How one edge endpoint's protocol maps onto the one engine. MSC4186 clients send everything each time
 * (the request as parsed, nothing stored); legacy MSC3575 clients send changes only, so their request is
 * resolved against what the connection stored for them, and their answer adjusted (list operations)
 * before it is stored. The engine calls these inside its snapshot, so the translation's state commits
 * with the answer it describes. Implementations live in `edge/`, next to their endpoints.
 */
export interface Translation {
  connId: string;
  /** The engine's request, given what this translation stored on the connection last time. */
  resolve(stored: unknown): SyncRequest;
  /** After resolve: the request changed what must be stored, so it is answered even with no news. */
  mustAnswer?(): boolean;
  /** The answer in this protocol, and what to store on the connection for the next request. */
  finish?(
    response: SyncResponse,
    stored: unknown,
    req: SyncRequest,
  ): { response: SyncResponse; store: unknown };
}
