import type { SyncQuery, SyncRequest } from './protocol/sync-request';
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
  /**
   * Which API opened the connection. Connections of all protocols share one table (and a `conn_id`),
   * but what each stores differs, so a `pos` is only honoured by the protocol that issued it.
   */
  protocol: SyncProtocol;
  /** `pos` and `timeout` when the protocol carries them in the body (the stable API); else the query string. */
  query?(): SyncQuery;
  /** The engine's request, given what this translation stored on the connection last time. */
  resolve(stored: unknown): SyncRequest;
  /** After resolve: the request changed what must be stored, so it is answered even with no news. */
  mustAnswer?(): boolean;
  /**
   * What, besides `pos` and the connection's stored state, decides the answer (`request-signature.ts`);
   * undefined when the request's meaning depends on more (MSC3575's sticky parameters). A long-poll
   * whose `pos` and signature are those of the answer last computed for its connection starts waiting
   * without computing it again (`SyncService`).
   */
  signature?(): string | undefined;
  /** The answer in this protocol, and what to store on the connection for the next request. */
  finish?(
    response: SyncResponse,
    stored: unknown,
    req: SyncRequest,
  ): { response: SyncResponse; store: unknown };
}

/** The sync APIs the edge serves, as recorded on a connection. */
export type SyncProtocol = 'msc4186-unstable' | 'msc4186' | 'msc3575';

export const PROTOCOL_NAMES: Record<SyncProtocol, string> = {
  'msc4186-unstable':
    'the unstable MSC4186 API (/_matrix/client/unstable/org.matrix.simplified_msc3575/sync)',
  msc4186: 'the stable sliding sync API (/_matrix/client/v4/sync)',
  msc3575: 'the MSC3575 API (/_matrix/client/unstable/org.matrix.msc3575/sync)',
};
