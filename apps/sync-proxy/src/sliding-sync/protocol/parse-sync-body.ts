import { MatrixError } from '@gateway/matrix';
import { isJsonObject } from '@gateway/util';
import type {
  ExtensionScope,
  ListFilters,
  RequiredStateEntry,
  RoomParams,
  SyncExtensionsRequest,
  SyncList,
  SyncRequest,
  ThreadSubscriptionsRequest,
  ToDeviceRequest,
} from './sync-request';

/** MSC4308's extension name while the proposal is unstable (the only name Synapse knows). */
export const THREAD_SUBSCRIPTIONS_EXTENSION = 'io.element.msc4308.thread_subscriptions';
/** Synapse's default `limit` of the thread subscriptions extension. */
const THREAD_SUBSCRIPTIONS_LIMIT = 100;

/**
 * Validation of the MSC4186 request body, mirroring Synapse's pydantic model: strict JSON types (no
 * `"1"` for 1, no 0/1 for booleans), unknown fields ignored, `null` accepted wherever Synapse declares the
 * field `Optional`. A missing required value (or a too-short tuple) answers 400 M_MISSING_PARAM, any other
 * shape error 400 M_BAD_JSON, and each message names the JSON path that failed.
 *
 * Only own properties of known fields are read and everything returned is freshly built, with `Map`s for
 * client-chosen keys: `__proto__` or `constructor` keys are plain data, and however deep the client nests
 * junk under unknown fields, nothing here descends into it.
 */

/** Synapse's limits on `lists`: how many, and how long a list name may be (in code points). */
const MAX_LISTS = 100;
const MAX_LIST_NAME = 64;
const MAX_TXN_ID = 64;
const MAX_TIMELINE_LIMIT = 1000;
/** Client keys are cut to this in error messages, so a 1 MB room id cannot make a 1 MB error. */
const MAX_PATH_SEGMENT = 64;

type JsonObject = Record<string, unknown>;

/** What differs between the APIs that share this parser. */
export interface ParseOptions {
  /** Longest list name in code points: Synapse's 64 by default; the stable API allows 255 (opaque ids). */
  maxListName?: number;
}

export function parseSyncBody(body: unknown, options: ParseOptions = {}): SyncRequest {
  if (!isJsonObject(body)) throw new MatrixError('M_BAD_JSON', 'Content must be a JSON object.');
  const maxListName = options.maxListName ?? MAX_LIST_NAME;
  const txnId = optional(body, 'txn_id', '', readString);
  if (txnId !== undefined && codePoints(txnId, MAX_TXN_ID) > MAX_TXN_ID) {
    badJson('txn_id', `must be at most ${String(MAX_TXN_ID)} characters`);
  }
  return {
    connId: optional(body, 'conn_id', '', readString) ?? '',
    txnId,
    lists: optional(body, 'lists', '', (v, p) => readLists(v, p, maxListName)) ?? new Map<string, SyncList>(),
    roomSubscriptions:
      optional(body, 'room_subscriptions', '', readRoomSubscriptions) ?? new Map<string, RoomParams>(),
    unsubscribeRooms: optional(body, 'unsubscribe_rooms', '', readStringArray) ?? [],
    extensions: optional(body, 'extensions', '', readExtensions) ?? {},
  };
}

function readLists(value: unknown, path: string, maxListName: number): Map<string, SyncList> {
  const object = readObject(value, path);
  const names = Object.keys(object);
  if (names.length > MAX_LISTS) badJson(path, `at most ${String(MAX_LISTS)} lists`);
  const lists = new Map<string, SyncList>();
  for (const name of names) {
    if (codePoints(name, maxListName) > maxListName) {
      badJson(path, `list names must be at most ${String(maxListName)} characters`);
    }
    lists.set(name, readList(object[name], child(path, name)));
  }
  return lists;
}

function readList(value: unknown, path: string): SyncList {
  const list = readObject(value, path);
  return {
    ranges: optional(list, 'ranges', path, readRanges),
    ...readRoomParams(list, path),
    filters: optional(list, 'filters', path, readFilters) ?? {},
  };
}

function readRoomSubscriptions(value: unknown, path: string): Map<string, RoomParams> {
  const object = readObject(value, path);
  const subscriptions = new Map<string, RoomParams>();
  for (const roomId of Object.keys(object)) {
    const roomPath = child(path, roomId);
    subscriptions.set(roomId, readRoomParams(readObject(object[roomId], roomPath), roomPath));
  }
  return subscriptions;
}

/** The fields lists and room subscriptions share. */
function readRoomParams(object: JsonObject, path: string): RoomParams {
  const timelinePath = child(path, 'timeline_limit');
  const timelineLimit = own(object, 'timeline_limit');
  if (timelineLimit === undefined) throw new MatrixError('M_MISSING_PARAM', `${timelinePath}: required`);
  if (!isInteger(timelineLimit) || timelineLimit < 0 || timelineLimit > MAX_TIMELINE_LIMIT) {
    badJson(timelinePath, `must be an integer between 0 and ${String(MAX_TIMELINE_LIMIT)}`);
  }
  // Synapse requires `required_state`; here a missing one means "no state": that is all a client leaving
  // it out can want, and refusing it would only break such clients.
  const stateValue = own(object, 'required_state');
  const requiredState =
    stateValue === undefined ? [] : readRequiredState(stateValue, child(path, 'required_state'));
  return { timelineLimit: timelineLimit + 0, requiredState };
}

function readRequiredState(value: unknown, path: string): RequiredStateEntry[] {
  return readArray(value, path).map((entry, i) => {
    const [type, stateKey] = readPair(entry, index(path, i));
    return [
      readString(type, index(index(path, i), 0)),
      readString(stateKey, index(index(path, i), 1)),
    ] as const;
  });
}

function readRanges(value: unknown, path: string): (readonly [number, number])[] {
  return readArray(value, path).map((entry, i) => {
    const [start, end] = readPair(entry, index(path, i));
    // An end below its start is kept: it selects nothing, which Synapse also allows.
    return [readIndex(start, index(index(path, i), 0)), readIndex(end, index(index(path, i), 1))] as const;
  });
}

function readFilters(value: unknown, path: string): ListFilters {
  const object = readObject(value, path);
  const filters: ListFilters = {};
  const isDm = optional(object, 'is_dm', path, readBoolean);
  if (isDm !== undefined) filters.isDm = isDm;
  const isEncrypted = optional(object, 'is_encrypted', path, readBoolean);
  if (isEncrypted !== undefined) filters.isEncrypted = isEncrypted;
  const isInvite = optional(object, 'is_invite', path, readBoolean);
  if (isInvite !== undefined) filters.isInvite = isInvite;
  const roomTypes = optional(object, 'room_types', path, readRoomTypes);
  if (roomTypes !== undefined) filters.roomTypes = roomTypes;
  const notRoomTypes = optional(object, 'not_room_types', path, readRoomTypes);
  if (notRoomTypes !== undefined) filters.notRoomTypes = notRoomTypes;
  const tags = optional(object, 'tags', path, readStringArray);
  if (tags !== undefined) filters.tags = tags;
  const notTags = optional(object, 'not_tags', path, readStringArray);
  if (notTags !== undefined) filters.notTags = notTags;
  const spaces = optional(object, 'spaces', path, readStringArray);
  if (spaces !== undefined) filters.spaces = spaces;
  const roomNameLike = optional(object, 'room_name_like', path, readString);
  if (roomNameLike !== undefined) filters.roomNameLike = roomNameLike;
  return filters;
}

/** `null` in a room-type filter stands for rooms without a type, so it is kept rather than rejected. */
function readRoomTypes(value: unknown, path: string): (string | null)[] {
  return readArray(value, path).map((entry, i) =>
    entry === null ? null : readString(entry, index(path, i)),
  );
}

function readExtensions(value: unknown, path: string): SyncExtensionsRequest {
  const object = readObject(value, path);
  const extensions: SyncExtensionsRequest = {};
  const toDevice = optional(object, 'to_device', path, readToDevice);
  if (toDevice !== undefined) extensions.toDevice = toDevice;
  const e2ee = optional(object, 'e2ee', path, (v, p) => ({ enabled: readEnabled(readObject(v, p), p) }));
  if (e2ee !== undefined) extensions.e2ee = e2ee;
  const accountData = optional(object, 'account_data', path, readScope);
  if (accountData !== undefined) extensions.accountData = accountData;
  const receipts = optional(object, 'receipts', path, readScope);
  if (receipts !== undefined) extensions.receipts = receipts;
  const typing = optional(object, 'typing', path, readScope);
  if (typing !== undefined) extensions.typing = typing;
  const threads = optional(object, THREAD_SUBSCRIPTIONS_EXTENSION, path, readThreadSubscriptions);
  if (threads !== undefined) extensions.threadSubscriptions = threads;
  return extensions;
}

/**
 * Synapse declares `limit` a strict integer with a default (not Optional, so `null` is refused) and checks
 * nothing more: 0 gives no changes, and a negative limit reaches its SQL `LIMIT` (unbounded on SQLite, a
 * 500 on PostgreSQL). A negative one is refused here with the error Synapse's companion endpoint
 * (`/thread_subscriptions`) gives such a limit.
 */
function readThreadSubscriptions(value: unknown, path: string): ThreadSubscriptionsRequest {
  const object = readObject(value, path);
  const limitPath = child(path, 'limit');
  const limit = own(object, 'limit');
  if (limit !== undefined && !isInteger(limit)) badJson(limitPath, 'must be an integer');
  if (limit !== undefined && limit < 0) {
    throw new MatrixError('M_INVALID_PARAM', `${limitPath}: must not be negative`);
  }
  return {
    enabled: readEnabled(object, path),
    limit: limit === undefined ? THREAD_SUBSCRIPTIONS_LIMIT : Math.min(limit, Number.MAX_SAFE_INTEGER) + 0,
  };
}

function readToDevice(value: unknown, path: string): ToDeviceRequest {
  const object = readObject(value, path);
  const since = optional(object, 'since', path, readString);
  // Synapse turns `since` into an integer only when it uses it, and answers M_INVALID_PARAM when it cannot.
  if (since !== undefined && (!/^\d+$/.test(since) || !Number.isSafeInteger(Number(since)))) {
    throw new MatrixError('M_INVALID_PARAM', `${child(path, 'since')}: must be a non-negative integer`);
  }
  return {
    enabled: readEnabled(object, path),
    since: since === undefined ? undefined : Number(since),
    limit: optional(object, 'limit', path, readIndex),
  };
}

function readScope(value: unknown, path: string): ExtensionScope {
  const object = readObject(value, path);
  return {
    enabled: readEnabled(object, path),
    lists: optional(object, 'lists', path, readStringArray),
    rooms: optional(object, 'rooms', path, readStringArray),
  };
}

function readEnabled(object: JsonObject, path: string): boolean | undefined {
  return optional(object, 'enabled', path, readBoolean);
}

// ---- primitives ------------------------------------------------------------------------------------

/** Reads an optional field: absent or `null` is `undefined`, anything else must pass `read`. */
function optional<T>(
  object: JsonObject,
  key: string,
  path: string,
  read: (value: unknown, path: string) => T,
): T | undefined {
  const value = own(object, key);
  return value === undefined || value === null ? undefined : read(value, child(path, key));
}

/** Own properties only: a polluted `Object.prototype` must not be able to supply a field. */
function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function readObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) badJson(path, 'must be an object');
  return value;
}

function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) badJson(path, 'must be an array');
  return value as unknown[];
}

function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') badJson(path, 'must be a string');
  return value;
}

function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') badJson(path, 'must be a boolean');
  return value;
}

function readStringArray(value: unknown, path: string): string[] {
  return readArray(value, path).map((entry, i) => readString(entry, index(path, i)));
}

/**
 * A non-negative integer. Values past 2^53 (which Python would accept as exact) are clamped rather than
 * refused: as a range end or a limit they mean "everything", and clamping keeps later arithmetic exact.
 */
function readIndex(value: unknown, path: string): number {
  if (!isInteger(value) || value < 0) badJson(path, 'must be a non-negative integer');
  return Math.min(value, Number.MAX_SAFE_INTEGER) + 0; // `+ 0` turns -0 into 0
}

/** A two-item tuple; a short one counts as a missing value, as pydantic reports it. */
function readPair(value: unknown, path: string): [unknown, unknown] {
  const array = readArray(value, path);
  if (array.length < 2) throw new MatrixError('M_MISSING_PARAM', `${path}: must have 2 items`);
  if (array.length > 2) badJson(path, 'must have 2 items');
  return [array[0], array[1]];
}

function badJson(path: string, message: string): never {
  throw new MatrixError('M_BAD_JSON', `${path}: ${message}`);
}

function child(path: string, key: string): string {
  const segment = key.length > MAX_PATH_SEGMENT ? `${key.slice(0, MAX_PATH_SEGMENT)}…` : key;
  return path === '' ? segment : `${path}.${segment}`;
}

function index(path: string, i: number): string {
  return `${path}[${String(i)}]`;
}

/** Length in code points as Python counts it, counting no further than just past `limit`. */
function codePoints(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  let count = 0;
  for (let i = 0; i < text.length && count <= limit; count++) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return count;
}
