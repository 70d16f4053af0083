import { MatrixError } from '@gateway/matrix';
import { isJsonObject } from '@gateway/util';
import { MAX_SYNC_TIMEOUT_MS } from '../sliding-sync/protocol/parse-query';
import { parseSyncBody } from '../sliding-sync/protocol/parse-sync-body';
import type {
  RequiredStateEntry,
  RoomParams,
  SyncList,
  SyncQuery,
  SyncRequest,
} from '../sliding-sync/protocol/sync-request';
import type { RoomResponse, SyncResponse } from '../sliding-sync/protocol/sync-response';
import { requestSignature } from '../sliding-sync/request-signature';
import type { Translation } from '../sliding-sync/translation';

/** MSC4186 "Request Body": at most 100 lists and 100 room subscriptions, else 400 M_INVALID_PARAM. */
const MAX_LISTS = 100;
const MAX_SUBSCRIPTIONS = 100;
/** List keys are opaque identifiers (Matrix spec, "Opaque Identifiers"). */
const OPAQUE_ID = /^[0-9A-Za-z._~-]{1,255}$/;
const SET_PRESENCE = new Set(['online', 'offline', 'unavailable']);
/** The engine's positions are decimal integers; anything else was never issued. */
const POS = /^[1-9]\d{0,15}$/;
const LAZY: RequiredStateEntry = ['m.room.member', '$LAZY'];
/** What the engine never sees of a stable body (`txn_id` is not part of the stable API: ignored). */
const SIGNATURE_OMITS = ['pos', 'timeout', 'set_presence', 'txn_id'];

type Json = Record<string, unknown>;

/** What a stable connection keeps between requests: the rooms it subscribed to last time. */
interface StableStored {
  subs: string[];
}

export type SetPresence = 'online' | 'offline' | 'unavailable';

/**
 * The stable sliding sync API (MSC4186 as merged, `POST /_matrix/client/v4/sync`) onto the engine, which
 * speaks the unstable form. The request: `pos`, `timeout` and `set_presence` in the body; one `range`
 * per list (absent: the whole filtered list); `required_state` as `{include, exclude, lazy_members}`;
 * `is_invited`; room subscriptions are the request's set (not sticky), so those dropped since the last
 * request are unsubscribed. The answer: lists carry only `count`; rooms carry `membership`, `lists`,
 * `stripped_state` and `expanded_timeline`, and no notification or highlight counts.
 *
 * Literal state keys `*`, `$ME` and `$LAZY` keep the engine's unstable meaning (a wildcard, the user,
 * lazy members); the stable API gives them none, but no real state key needs them.
 */
export class StableSyncTranslation implements Translation {
  readonly connId: string;
  readonly protocol = 'msc4186' as const;
  readonly setPresence: SetPresence;
  private readonly syncQuery: SyncQuery;
  private readonly body: Json;
  private subscriptionIds: string[] = [];

  constructor(body: unknown) {
    if (!isJsonObject(body)) throw new MatrixError('M_BAD_JSON', 'Content must be a JSON object.');
    this.body = body;
    const connId = own(body, 'conn_id');
    if (connId !== undefined && typeof connId !== 'string') badJson('conn_id', 'must be a string');
    this.connId = connId ?? '';
    this.syncQuery = { pos: readPos(own(body, 'pos')), timeoutMs: readTimeout(own(body, 'timeout')) };
    const presence = own(body, 'set_presence');
    if (presence !== undefined && (typeof presence !== 'string' || !SET_PRESENCE.has(presence))) {
      throw new MatrixError('M_INVALID_PARAM', 'set_presence: must be one of online, offline, unavailable');
    }
    this.setPresence = (presence as SetPresence | undefined) ?? 'online';
  }

  query(): SyncQuery {
    return this.syncQuery;
  }

  signature(): string | undefined {
    return requestSignature(this.body, SIGNATURE_OMITS);
  }

  resolve(stored: unknown): SyncRequest {
    const body = this.body;
    const excludes = new Map<string, RequiredStateEntry[]>();
    const lists = own(body, 'lists');
    let unstableLists: Json | undefined;
    if (lists !== undefined) {
      if (!isJsonObject(lists)) badJson('lists', 'must be an object');
      const names = Object.keys(lists);
      if (names.length > MAX_LISTS)
        throw new MatrixError('M_INVALID_PARAM', `lists: at most ${String(MAX_LISTS)} lists`);
      unstableLists = {};
      for (const name of names) {
        if (!OPAQUE_ID.test(name))
          throw new MatrixError('M_INVALID_PARAM', `lists: ${cut(name)}: not an opaque identifier`);
        const path = `lists.${name}`;
        const list = lists[name];
        if (!isJsonObject(list)) badJson(path, 'must be an object');
        const { required, exclude } = readRequiredState(list, path);
        excludes.set(`l:${name}`, exclude);
        unstableLists[name] = {
          timeline_limit: own(list, 'timeline_limit'),
          required_state: required,
          ranges: [readRange(own(list, 'range'), `${path}.range`)],
          filters: readFilters(own(list, 'filters'), `${path}.filters`),
        };
      }
    }
    const subs = own(body, 'room_subscriptions');
    let unstableSubs: Json | undefined;
    if (subs !== undefined) {
      if (!isJsonObject(subs)) badJson('room_subscriptions', 'must be an object');
      const ids = Object.keys(subs);
      if (ids.length > MAX_SUBSCRIPTIONS) {
        throw new MatrixError(
          'M_INVALID_PARAM',
          `room_subscriptions: at most ${String(MAX_SUBSCRIPTIONS)} subscriptions`,
        );
      }
      unstableSubs = {};
      for (const roomId of ids) {
        const path = `room_subscriptions.${cut(roomId)}`;
        const sub = subs[roomId];
        if (!isJsonObject(sub)) badJson(path, 'must be an object');
        const { required, exclude } = readRequiredState(sub, path);
        excludes.set(`r:${roomId}`, exclude);
        unstableSubs[roomId] = { timeline_limit: own(sub, 'timeline_limit'), required_state: required };
      }
      this.subscriptionIds = ids;
    }
    const parsed = parseSyncBody(
      {
        conn_id: this.connId,
        ...(unstableLists === undefined ? {} : { lists: unstableLists }),
        ...(unstableSubs === undefined ? {} : { room_subscriptions: unstableSubs }),
        ...(own(body, 'extensions') === undefined ? {} : { extensions: own(body, 'extensions') }),
      },
      { maxListName: 255 },
    );
    const current = new Set(this.subscriptionIds);
    return {
      ...parsed,
      // The stable API has no transaction ids and no unsubscribe_rooms: a request's subscriptions are
      // the whole set, so rooms it no longer names are dropped from the engine's sticky ones.
      txnId: undefined,
      lists: new Map(
        [...parsed.lists].map(([name, list]): [string, SyncList] => [
          name,
          withExclude(list, excludes.get(`l:${name}`)),
        ]),
      ),
      roomSubscriptions: new Map(
        [...parsed.roomSubscriptions].map(([roomId, sub]): [string, RoomParams] => [
          roomId,
          withExclude(sub, excludes.get(`r:${roomId}`)),
        ]),
      ),
      unsubscribeRooms: asStored(stored).subs.filter((id) => !current.has(id)),
    };
  }

  finish(response: SyncResponse): { response: SyncResponse; store: unknown } {
    const listsOf = new Map<string, string[]>();
    const lists: SyncResponse['lists'] = {};
    for (const [name, list] of Object.entries(response.lists)) {
      lists[name] = { count: list.count };
      for (const op of list.ops ?? []) {
        if (op.op === 'SYNC')
          for (const roomId of op.room_ids) listsOf.set(roomId, [...(listsOf.get(roomId) ?? []), name]);
      }
    }
    const rooms: Record<string, RoomResponse> = {};
    for (const [roomId, room] of Object.entries(response.rooms)) {
      rooms[roomId] = stableRoom(room, listsOf.get(roomId));
    }
    const store: StableStored = { subs: this.subscriptionIds };
    return { response: { pos: response.pos, lists, rooms, extensions: response.extensions }, store };
  }
}

/** The stable room object: renamed fields, list membership, no unread counts (MSC4186 changelog 2, 4, 5, 15). */
function stableRoom(room: RoomResponse, lists: string[] | undefined): RoomResponse {
  const {
    notification_count: _n,
    highlight_count: _h,
    invite_state: strippedState,
    unstable_expanded_timeline: expanded,
    timestamp: _t,
    ...rest
  } = room;
  const out: RoomResponse = { ...rest };
  if (strippedState !== undefined) out.stripped_state = strippedState;
  if (expanded !== undefined) out.expanded_timeline = expanded;
  if (lists !== undefined) out.lists = lists;
  return out;
}

function withExclude<T extends RoomParams>(params: T, exclude: RequiredStateEntry[] | undefined): T {
  return exclude === undefined || exclude.length === 0 ? params : { ...params, excludeState: exclude };
}

/**
 * `{include, exclude, lazy_members}` as the engine's entries: an element's omitted `type` or `state_key`
 * matches all (`*`); `lazy_members` is `["m.room.member","$LAZY"]`. Required (MSC4186 `SyncListConfig`).
 */
function readRequiredState(
  config: Json,
  path: string,
): { required: RequiredStateEntry[]; exclude: RequiredStateEntry[] } {
  const value = own(config, 'required_state');
  if (value === undefined) throw new MatrixError('M_MISSING_PARAM', `${path}.required_state: required`);
  const p = `${path}.required_state`;
  if (!isJsonObject(value)) badJson(p, 'must be an object');
  const lazy = own(value, 'lazy_members');
  if (lazy !== undefined && typeof lazy !== 'boolean') badJson(`${p}.lazy_members`, 'must be a boolean');
  const required = readElements(own(value, 'include'), `${p}.include`);
  if (lazy === true) required.push(LAZY);
  return { required, exclude: readElements(own(value, 'exclude'), `${p}.exclude`) };
}

function readElements(value: unknown, path: string): RequiredStateEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) badJson(path, 'must be an array');
  return (value as unknown[]).map((element, i) => {
    const at = `${path}[${String(i)}]`;
    if (!isJsonObject(element)) badJson(at, 'must be an object');
    const type = own(element, 'type');
    const stateKey = own(element, 'state_key');
    if (type !== undefined && typeof type !== 'string') badJson(`${at}.type`, 'must be a string');
    if (stateKey !== undefined && typeof stateKey !== 'string')
      badJson(`${at}.state_key`, 'must be a string');
    return [type ?? '*', stateKey ?? '*'] as const;
  });
}

/** One inclusive `[start, end]`; absent means the whole filtered list (unlike the unstable `ranges`). */
function readRange(value: unknown, path: string): [number, number] {
  if (value === undefined) return [0, Number.MAX_SAFE_INTEGER];
  if (!Array.isArray(value)) badJson(path, 'must be an array');
  const range = value as unknown[];
  if (range.length < 2) throw new MatrixError('M_MISSING_PARAM', `${path}: must have 2 items`);
  if (range.length > 2) badJson(path, 'must have 2 items');
  return [readIndex(range[0], `${path}[0]`), readIndex(range[1], `${path}[1]`)];
}

function readIndex(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    badJson(path, 'must be a non-negative integer');
  return Math.min(value, Number.MAX_SAFE_INTEGER) + 0;
}

/** The stable filter names onto the unstable ones: `is_invited` for `is_invite`, no `room_name_like`. */
function readFilters(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) badJson(path, 'must be an object');
  const out: Json = {};
  for (const key of ['is_dm', 'spaces', 'is_encrypted', 'room_types', 'not_room_types', 'tags', 'not_tags']) {
    const field = own(value, key);
    if (field !== undefined) out[key] = field;
  }
  const invited = own(value, 'is_invited');
  if (invited !== undefined && invited !== null) {
    if (typeof invited !== 'boolean') badJson(`${path}.is_invited`, 'must be a boolean');
    out['is_invite'] = invited;
  }
  return out;
}

function readPos(value: unknown): SyncQuery['pos'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') badJson('pos', 'must be a string');
  // MSC4186: a pos the server did not issue (to this user and device) is M_UNKNOWN_POS.
  if (!POS.test(value) || !Number.isSafeInteger(Number(value)))
    throw new MatrixError('M_UNKNOWN_POS', 'Unknown position');
  return { position: Number(value) };
}

/** Milliseconds, default 0 (answer at once); clamped like the unstable query parameter. */
function readTimeout(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) badJson('timeout', 'must be an integer');
  if (value < 0) throw new MatrixError('M_INVALID_PARAM', 'timeout: must be a non-negative integer');
  return Math.min(value, MAX_SYNC_TIMEOUT_MS);
}

function asStored(value: unknown): StableStored {
  if (typeof value !== 'object' || value === null) return { subs: [] };
  const subs = (value as Partial<StableStored>).subs;
  return { subs: Array.isArray(subs) ? subs : [] };
}

function own(object: Json, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function cut(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

function badJson(path: string, message: string): never {
  throw new MatrixError('M_BAD_JSON', `${path}: ${message}`);
}
