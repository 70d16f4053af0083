import { MatrixError } from '@gateway/matrix';
import {
  withoutMembership,
  type ListOp,
  type MoveListOp,
  type SyncResponse,
} from '../sliding-sync/protocol/sync-response';
import { parseSyncBody } from '../sliding-sync/protocol/parse-sync-body';
import { LIST_SORTS, type ListSort, type SyncRequest } from '../sliding-sync/protocol/sync-request';
import type { Translation } from '../sliding-sync/translation';

/** The Go proxy's defaults and cap for a list's timeline (MSC3575). */
const DEFAULT_TIMELINE_LIMIT = 20;
const MAX_TIMELINE_LIMIT = 50;
const STICKY_EXTENSIONS = ['to_device', 'e2ee', 'account_data', 'receipts', 'typing'];
/** Past this many moves in one range, one SYNC of the range is shorter for both sides. */
const MAX_MOVES = 10;

type Json = Record<string, unknown>;

/** One range of a list as the client was last told it. */
interface LegacyWindow {
  range: [number, number];
  ids: string[];
}

/** What a legacy connection keeps between requests: the merged (sticky) request and each list's window. */
interface LegacyStored {
  lists: [string, Json][];
  extensions: [string, Json][];
  windows: [string, LegacyWindow[]][];
}

/**
 * MSC3575 (the Go proxy's protocol, which older matrix-js-sdk speaks), translated onto the MSC4186 engine:
 * - list fields and extensions are sticky: an omitted field keeps its last value, `deleted: true`
 *   removes a list, `timeline_limit` defaults to 20 and is capped at 50;
 * - lists are sorted as their `sort` says (by_recency when absent);
 * - lists carry operations only when a window's contents changed, as the Go proxy sends no ops for an
 *   unchanged window: a range whose rooms moved gets `DELETE`/`INSERT` pairs like the Go proxy's, one
 *   whose size or bounds changed (or that moved a lot) a `SYNC`;
 * - rooms carry `timestamp` (the Go proxy's recency field) next to `bump_stamp`.
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
    const request = parseSyncBody({
      ...body,
      lists: effective,
      extensions: Object.fromEntries(extensions),
    });
    return {
      ...request,
      lists: new Map(
        [...request.lists].map(([name, list]) => {
          const sort = parseSort(name, lists.get(name)?.['sort']);
          return [name, sort === undefined ? list : { ...list, sort }];
        }),
      ),
    };
  }

  mustAnswer(): boolean {
    return this.changed;
  }

  finish(response: SyncResponse, stored: unknown): { response: SyncResponse; store: unknown } {
    const previous = new Map(asStored(stored).windows);
    const windows = new Map<string, LegacyWindow[]>();
    const lists: SyncResponse['lists'] = {};
    for (const [name, list] of Object.entries(response.lists)) {
      const now = (list.ops ?? []).flatMap((op) =>
        op.op === 'SYNC' ? [{ range: op.range, ids: op.room_ids }] : [],
      );
      windows.set(name, now);
      const before = previous.get(name);
      // Stored windows come back from jsonb with their keys reordered: compared by value, in listOps.
      const ops =
        before === undefined || before.length !== now.length ? (list.ops ?? []) : listOps(before, now);
      lists[name] = ops.length === 0 ? { count: list.count } : { count: list.count, ops };
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
  // Windows stored before they carried their ranges are plain arrays: forgotten, so the next answer
  // SYNCs those lists whole.
  const windows = (v.windows ?? []).filter(([, w]) => w.every((x) => !Array.isArray(x)));
  return { lists: v.lists ?? [], extensions: v.extensions ?? [], windows };
}

function parseSort(list: string, value: unknown): ListSort[] | undefined {
  if (value === undefined || value === null) return undefined;
  const known: readonly unknown[] = LIST_SORTS;
  if (!Array.isArray(value) || !value.every((v) => known.includes(v)))
    throw new MatrixError(
      'M_INVALID_PARAM',
      `lists.${list.slice(0, 64)}.sort: must be a list of ${LIST_SORTS.join(', ')}`,
    );
  return value as ListSort[];
}

/**
 * The operations that take the client from the windows it has to the new ones: per range, nothing when
 * unchanged, a SYNC when the range or its size changed, else DELETE/INSERT moves.
 */
function listOps(before: readonly LegacyWindow[], now: readonly LegacyWindow[]): ListOp[] {
  return now.flatMap((window, i): ListOp[] => {
    const old = before[i];
    const sync: ListOp = { op: 'SYNC', range: window.range, room_ids: window.ids };
    if (old === undefined || old.range[0] !== window.range[0] || old.range[1] !== window.range[1])
      return [sync];
    if (old.ids.length !== window.ids.length) return [sync];
    const moves = movesBetween(old.ids, window.ids, window.range[0]);
    return moves === null ? [sync] : moves;
  });
}

/**
 * DELETE/INSERT pairs turning `from` into `to` (same length), indexes offset by the range's start: the
 * first position that differs gets its room, taken from where it is now, or else in place of the last
 * room that left the window. Null past MAX_MOVES pairs.
 */
function movesBetween(from: readonly string[], to: readonly string[], offset: number): MoveListOp[] | null {
  const current = [...from];
  const ops: MoveListOp[] = [];
  const leaving = (): number => {
    for (let j = current.length - 1; j >= 0; j--) if (!to.includes(current[j] ?? '')) return j;
    return current.length - 1;
  };
  for (let k = 0; k < to.length; k++) {
    const room = to[k];
    if (room === undefined || current[k] === room) continue;
    if (ops.length >= MAX_MOVES * 2) return null;
    const at = current.indexOf(room);
    const remove = at === -1 ? leaving() : at;
    current.splice(remove, 1);
    current.splice(k, 0, room);
    ops.push({ op: 'DELETE', index: offset + remove }, { op: 'INSERT', index: offset + k, room_id: room });
  }
  return ops;
}
