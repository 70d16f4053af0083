// Over 300 lines: one validator per /sync v2 block; splitting them would scatter one wire format.
import type {
  AccountDataEvent,
  ClientEvent,
  Membership,
  ReceiptRow,
  RoomDelta,
  StateEvent,
  StrippedStateEvent,
  V2Batch,
} from '@gateway/sync-data';
import {
  arrayField,
  countField,
  isJsonObject,
  nonEmptyStringField,
  numberField,
  objectField,
  ownField,
  stringField,
  stringsField,
  type JsonObject,
} from '@gateway/util';
import { isUserId, userIdsField } from './json-guards';

/**
 * Turns one upstream `/sync` v2 response into a `V2Batch`. The homeserver is trusted to be a homeserver,
 * not to be well-formed: only a missing `next_batch` throws (without it nothing may be stored, so the
 * poller retries); every other malformed part is dropped. The input is never mutated, and objects keyed
 * by untrusted strings are read with `Object.entries` into arrays, so `__proto__` keys stay data.
 */
export function accumulate(response: unknown): V2Batch {
  if (!isJsonObject(response)) throw new Error('malformed sync response: not an object');
  const nextBatch = stringField(response, 'next_batch');
  if (nextBatch === undefined) throw new Error('malformed sync response: next_batch missing');

  const deviceLists = objectField(response, 'device_lists') ?? {};
  // One row per target user is stored: each list without repeats, and a user in both counts as changed
  // (the client then re-queries their keys, the safe side).
  const changed = new Set(userIdsField(deviceLists, 'changed') ?? []);
  const left = new Set((userIdsField(deviceLists, 'left') ?? []).filter((u) => !changed.has(u)));
  return {
    nextBatch,
    rooms: parseRooms(objectField(response, 'rooms') ?? {}),
    toDevice: eventsOf(response, 'to_device').flatMap(toDeviceEvent),
    accountData: eventsOf(response, 'account_data').flatMap(accountDataEvent),
    deviceLists: { changed: [...changed], left: [...left] },
    otkCounts: otkCounts(ownField(response, 'device_one_time_keys_count')),
    fallbackKeyTypes: stringsField(response, 'device_unused_fallback_key_types'),
  };
}

/**
 * The membership a v2 section implies for `userId`. `leave` covers kicks, bans and leaves alike; only
 * the member event tells a ban apart, and the timeline is newer than the state block.
 */
export function membershipOf(delta: RoomDelta, userId: string): Membership {
  switch (delta.section) {
    case 'join':
    case 'invite':
    case 'knock':
      return delta.section;
    case 'leave': {
      const member = lastMemberEvent(delta.timeline.events, userId) ?? lastMemberEvent(delta.state, userId);
      return member?.content['membership'] === 'ban' ? 'ban' : 'leave';
    }
  }
}

/**
 * The filter the poller sends with `/sync` v2, as a JSON string for the `filter` query parameter.
 * - `presence.not_types: ["*"]`: MSC4186 has no presence, so the homeserver need not compute or send it.
 * - `room.timeline.limit`: how many recent events a room brings when it is new or its timeline had a gap.
 * - `room.state.lazy_load_members` (initial sync only): the member list of a large room dominates an
 *   initial sync; lazily loaded, only the members of the timeline's senders come. Incremental syncs ask
 *   for full state deltas so that member changes inside a gap (`limited`) are not lost.
 * - `room.include_leave: false`: an initial sync should not pull every room the user ever left; rooms
 *   left after it arrive in the `leave` section of later syncs regardless.
 */
export function v2Filter(opts: { initial: boolean; timelineLimit: number }): string {
  if (!Number.isSafeInteger(opts.timelineLimit) || opts.timelineLimit < 1) {
    throw new RangeError(`timelineLimit must be a positive integer, got ${opts.timelineLimit}`);
  }
  return JSON.stringify({
    presence: { not_types: ['*'] },
    room: {
      timeline: { limit: opts.timelineLimit },
      state: { lazy_load_members: opts.initial },
      include_leave: false,
    },
  });
}

type Section = RoomDelta['section'];

/**
 * `leave` comes first: when a room appears in two sections (left, then re-invited or re-joined within
 * one sync window) the `leave` entry is the older part and must be applied before the current one.
 */
const SECTIONS: readonly Section[] = ['leave', 'join', 'invite', 'knock'];

function parseRooms(rooms: JsonObject): RoomDelta[] {
  const deltas: RoomDelta[] = [];
  for (const section of SECTIONS) {
    for (const [roomId, room] of Object.entries(objectField(rooms, section) ?? {})) {
      // Room ids start with `!`; the `:server` part is optional since room ids became create-event hashes.
      if (!roomId.startsWith('!') || roomId.length < 2 || !isJsonObject(room)) continue;
      deltas.push(parseRoom(roomId, section, room));
    }
  }
  return deltas;
}

function parseRoom(roomId: string, section: Section, room: JsonObject): RoomDelta {
  const delta: RoomDelta = {
    roomId,
    section,
    state: [],
    timeline: { events: [], limited: false, prevBatch: undefined },
    summary: {},
    unread: {},
    accountData: [],
    typing: undefined,
    receipts: [],
    strippedState: undefined,
    txnIds: [],
  };
  if (section === 'invite' || section === 'knock') {
    const block = section === 'invite' ? 'invite_state' : 'knock_state';
    delta.strippedState = eventsOf(room, block).flatMap(strippedStateEvent);
    return delta;
  }
  // One event per (type, state_key), the last one given: the block is a set, and the store upserts it
  // in one statement, which cannot touch a key twice.
  delta.state = [
    ...new Map(
      eventsOf(room, 'state')
        .flatMap(stateEvent)
        .map((e) => [JSON.stringify([e.type, e.state_key]), e]),
    ).values(),
  ];
  parseTimeline(objectField(room, 'timeline') ?? {}, delta);
  delta.accountData = eventsOf(room, 'account_data').flatMap(accountDataEvent);
  // Summary, unread counts and EDUs are defined for joined rooms only.
  if (section === 'join') {
    delta.summary = parseSummary(objectField(room, 'summary') ?? {});
    delta.unread = parseUnread(objectField(room, 'unread_notifications') ?? {});
    parseEphemeral(eventsOf(room, 'ephemeral'), delta);
  }
  return delta;
}

function parseTimeline(timeline: JsonObject, delta: RoomDelta): void {
  const seen = new Set<string>();
  for (const raw of arrayField(timeline, 'events')) {
    const parsed = clientEvent(raw);
    // A homeserver may repeat an event within one chunk; the first copy keeps its position.
    if (parsed === undefined || seen.has(parsed.event.event_id)) continue;
    seen.add(parsed.event.event_id);
    delta.timeline.events.push(parsed.event);
    if (parsed.txnId !== undefined)
      delta.txnIds.push({ eventId: parsed.event.event_id, txnId: parsed.txnId });
  }
  delta.timeline.limited = ownField(timeline, 'limited') === true;
  delta.timeline.prevBatch = stringField(timeline, 'prev_batch');
}

function parseSummary(summary: JsonObject): RoomDelta['summary'] {
  const out: RoomDelta['summary'] = {};
  const heroes = userIdsField(summary, 'm.heroes');
  const joined = countField(summary, 'm.joined_member_count');
  const invited = countField(summary, 'm.invited_member_count');
  if (heroes !== undefined) out.heroes = heroes;
  if (joined !== undefined) out.joinedCount = joined;
  if (invited !== undefined) out.invitedCount = invited;
  return out;
}

function parseUnread(unread: JsonObject): RoomDelta['unread'] {
  const out: RoomDelta['unread'] = {};
  const notifications = countField(unread, 'notification_count');
  const highlights = countField(unread, 'highlight_count');
  if (notifications !== undefined) out.notificationCount = notifications;
  if (highlights !== undefined) out.highlightCount = highlights;
  return out;
}

function parseEphemeral(events: readonly unknown[], delta: RoomDelta): void {
  // One row per (user, type, thread): a later receipt supersedes an earlier one, and the store can then
  // upsert the rows in one statement without touching a key twice.
  const receipts = new Map<string, ReceiptRow>();
  for (const edu of events) {
    if (!isJsonObject(edu)) continue;
    const content = objectField(edu, 'content');
    if (content === undefined) continue;
    const type = ownField(edu, 'type');
    if (type === 'm.typing') {
      delta.typing = userIdsField(content, 'user_ids') ?? delta.typing;
    } else if (type === 'm.receipt') {
      for (const row of receiptRows(content)) {
        receipts.set(JSON.stringify([row.userId, row.receiptType, row.threadId]), row);
      }
    }
  }
  delta.receipts = [...receipts.values()];
}

/** The receipt types the proxy keeps: public and private read receipts. */
const RECEIPT_TYPES = ['m.read', 'm.read.private'] as const;

/** `{eventId: {receiptType: {userId: {ts, thread_id?}}}}` flattened to rows. */
function receiptRows(content: JsonObject): ReceiptRow[] {
  const rows: ReceiptRow[] = [];
  for (const [eventId, byType] of Object.entries(content)) {
    // Event ids start with `$`; anything else (`__proto__` from a hostile server) is no receipt.
    if (!eventId.startsWith('$') || !isJsonObject(byType)) continue;
    for (const receiptType of RECEIPT_TYPES) {
      for (const [userId, receipt] of Object.entries(objectField(byType, receiptType) ?? {})) {
        if (!isUserId(userId) || !isJsonObject(receipt)) continue;
        const threadId = nonEmptyStringField(receipt, 'thread_id') ?? null;
        // A timestamp the store's bigint cannot hold (a fraction, out of range) counts as missing.
        rows.push({ eventId, userId, receiptType, threadId, ts: countField(receipt, 'ts') ?? 0 });
      }
    }
  }
  return rows;
}

function otkCounts(value: unknown): Record<string, number> | undefined {
  if (!isJsonObject(value)) return undefined;
  const counts = Object.entries(value).filter(
    // `__proto__` is no key algorithm; dropping it keeps the record safe even for `Object.assign` users.
    (entry): entry is [string, number] =>
      entry[0] !== '__proto__' &&
      typeof entry[1] === 'number' &&
      Number.isSafeInteger(entry[1]) &&
      entry[1] >= 0,
  );
  // fromEntries defines own properties, so no key can reach a prototype.
  return Object.fromEntries(counts);
}

/** The `events` array of a block such as `state` or `account_data`; empty when malformed. */
function eventsOf(obj: JsonObject, block: string): unknown[] {
  return arrayField(objectField(obj, block) ?? {}, 'events');
}

function accountDataEvent(raw: unknown): AccountDataEvent[] {
  if (!isJsonObject(raw)) return [];
  const type = nonEmptyStringField(raw, 'type');
  const content = objectField(raw, 'content');
  return type === undefined || content === undefined ? [] : [{ type, content }];
}

/** To-device events are relayed verbatim, but only if they carry what a client needs to route them. */
function toDeviceEvent(raw: unknown): Record<string, unknown>[] {
  if (!isJsonObject(raw)) return [];
  const ok =
    nonEmptyStringField(raw, 'type') !== undefined &&
    nonEmptyStringField(raw, 'sender') !== undefined &&
    objectField(raw, 'content') !== undefined;
  return ok ? [{ ...raw }] : [];
}

function strippedStateEvent(raw: unknown): StrippedStateEvent[] {
  if (!isJsonObject(raw)) return [];
  const type = nonEmptyStringField(raw, 'type');
  const stateKey = stringField(raw, 'state_key');
  const sender = nonEmptyStringField(raw, 'sender');
  const content = objectField(raw, 'content');
  if (type === undefined || stateKey === undefined || sender === undefined || content === undefined)
    return [];
  const { room_id: _roomId, ...rest } = raw;
  return [{ ...rest, type, state_key: stateKey, sender, content }];
}

function stateEvent(raw: unknown): StateEvent[] {
  const parsed = clientEvent(raw);
  const stateKey = parsed?.event.state_key;
  return parsed === undefined || stateKey === undefined ? [] : [{ ...parsed.event, state_key: stateKey }];
}

/**
 * A room event in ClientEvent format, without `room_id` (the room is the key it came under) and without
 * `unsigned.transaction_id`, which belongs to the sending device only and is handed back separately.
 */
export function clientEvent(raw: unknown): { event: ClientEvent; txnId: string | undefined } | undefined {
  if (!isJsonObject(raw)) return undefined;
  const type = nonEmptyStringField(raw, 'type');
  const eventId = nonEmptyStringField(raw, 'event_id');
  const sender = nonEmptyStringField(raw, 'sender');
  const ts = numberField(raw, 'origin_server_ts');
  const content = objectField(raw, 'content');
  if (type === undefined || eventId === undefined || sender === undefined) return undefined;
  if (ts === undefined || content === undefined) return undefined;
  // A state_key of the wrong type would turn a state event into a message event: drop it instead.
  const stateKey = ownField(raw, 'state_key');
  if (stateKey !== undefined && typeof stateKey !== 'string') return undefined;

  // Rest-spread copies own properties as data, so the input stays untouched and `__proto__` stays a key.
  const { room_id: _roomId, unsigned: _unsigned, ...rest } = raw;
  const event: ClientEvent = { ...rest, type, event_id: eventId, sender, origin_server_ts: ts, content };
  let txnId: string | undefined;
  const rawUnsigned = objectField(raw, 'unsigned');
  if (rawUnsigned !== undefined) {
    const { transaction_id: _txnId, ...unsigned } = rawUnsigned;
    event.unsigned = unsigned;
    txnId = nonEmptyStringField(rawUnsigned, 'transaction_id');
  }
  return { event, txnId };
}

function lastMemberEvent(events: readonly ClientEvent[], userId: string): ClientEvent | undefined {
  return events.findLast((e) => e.type === 'm.room.member' && e.state_key === userId);
}
