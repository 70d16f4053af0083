import { MatrixError } from '@gateway/matrix';
import { withoutMembership, type SyncResponse } from '../sliding-sync/protocol/sync-response';
import { parseSyncBody } from '../sliding-sync/protocol/parse-sync-body';
import type { SyncRequest } from '../sliding-sync/protocol/sync-request';
import type { Translation } from '../sliding-sync/translation';

/** The Go proxy's defaults and cap for a list's timeline (MSC3575). */
const DEFAULT_TIMELINE_LIMIT = 20;
const MAX_TIMELINE_LIMIT = 50;
const STICKY_EXTENSIONS = ['to_device', 'e2ee', 'account_data', 'receipts', 'typing'];

type Json = Record<string, unknown>;

/** What a legacy connection keeps between requests: the merged (sticky) request and each list's window. */
interface LegacyStored {
  lists: [string, Json][];
  extensions: [string, Json][];
  windows: [string, string[][]][];
}

/**
 * MSC3575 (the Go proxy's protocol, which older matrix-js-sdk speaks), translated onto the MSC4186 engine:
 * - list fields and extensions are sticky: an omitted field keeps its last value, `deleted: true`
 *   removes a list, `timeline_limit` defaults to 20 and is capped at 50;
 * - lists carry operations only when a window's contents changed (a `SYNC` per range), as the Go proxy
 *   sends no ops for an unchanged window;
 * - rooms carry `timestamp` (the Go proxy's recency field) next to `bump_stamp`.
 * Sorting is by recency whatever `sort` says (by_name and the notification orders are not implemented).
 */
export class Msc3575Translation implements Translation {
  readonly connId: string;
  readonly protocol = 'msc3575' as const;
  private changed = false;

  constructor(private readonly body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new MatrixError('M_BAD_JSON', 'Content must be a JSON object.');
    const connId = (body as Json)['conn_id'];
    if (connId !== undefined && typeof connId !== 'string')
      throw new MatrixError('M_BAD_JSON', 'conn_id: must be a string');
    this.connId = connId ?? '';
  }

  resolve(stored: unknown): SyncRequest {
    const previous = asStored(stored);
    const body = this.body as Json;
    const lists = new Map(previous.lists);
    const incoming = body['lists'];
    if (incoming !== undefined) {
      if (typeof incoming !== 'object' || incoming === null || Array.isArray(incoming))
        throw new MatrixError('M_BAD_JSON', 'lists: must be an object');
      for (const [name, value] of Object.entries(incoming as Json)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw new MatrixError('M_BAD_JSON', `lists.${name.slice(0, 64)}: must be an object`);
        if ((value as Json)['deleted'] === true) lists.delete(name);
        else lists.set(name, { ...(lists.get(name) ?? {}), ...(value as Json) });
      }
    }
    const extensions = new Map(previous.extensions);
    const incomingExt = body['extensions'];
    if (typeof incomingExt === 'object' && incomingExt !== null && !Array.isArray(incomingExt)) {
      for (const name of STICKY_EXTENSIONS) {
        const value = (incomingExt as Json)[name];
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          extensions.set(name, { ...(extensions.get(name) ?? {}), ...(value as Json) });
      }
    }
    this.merged = { lists, extensions };
    this.changed =
      JSON.stringify([...lists]) !== JSON.stringify(previous.lists) ||
      JSON.stringify([...extensions]) !== JSON.stringify(previous.extensions);
    const effective = Object.fromEntries(
      [...lists].map(([name, list]) => {
        const limit =
          typeof list['timeline_limit'] === 'number' ? list['timeline_limit'] : DEFAULT_TIMELINE_LIMIT;
        return [name, { ...list, timeline_limit: Math.min(limit, MAX_TIMELINE_LIMIT) }];
      }),
    );
    return parseSyncBody({
      ...body,
      lists: effective,
      extensions: Object.fromEntries(extensions),
    });
  }

  mustAnswer(): boolean {
    return this.changed;
  }

  finish(response: SyncResponse, stored: unknown): { response: SyncResponse; store: unknown } {
    const previous = new Map(asStored(stored).windows);
    const windows = new Map<string, string[][]>();
    const lists: SyncResponse['lists'] = {};
    for (const [name, list] of Object.entries(response.lists)) {
      const now = (list.ops ?? []).map((op) => op.room_ids);
      windows.set(name, now);
      const unchanged = JSON.stringify(previous.get(name)) === JSON.stringify(now);
      lists[name] = unchanged ? { count: list.count } : list;
    }
    const rooms = Object.fromEntries(
      Object.entries(withoutMembership(response).rooms).map(([id, room]) => [
        id,
        room.bump_stamp === undefined ? room : { ...room, timestamp: room.bump_stamp },
      ]),
    );
    const merged = this.merged ?? { lists: new Map<string, Json>(), extensions: new Map<string, Json>() };
    const store: LegacyStored = {
      lists: [...merged.lists],
      extensions: [...merged.extensions],
      windows: [...windows],
    };
    return { response: { ...response, lists, rooms }, store };
  }

  private merged: { lists: Map<string, Json>; extensions: Map<string, Json> } | undefined;
}

function asStored(value: unknown): LegacyStored {
  if (typeof value !== 'object' || value === null) return { lists: [], extensions: [], windows: [] };
  const v = value as Partial<LegacyStored>;
  return { lists: v.lists ?? [], extensions: v.extensions ?? [], windows: v.windows ?? [] };
}
