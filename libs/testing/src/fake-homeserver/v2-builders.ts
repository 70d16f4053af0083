import { randomBytes } from 'node:crypto';

/** Builders for `/sync` v2 responses to queue on the fake homeserver. */

/** Unique per test run, so ids never collide across tests sharing a database. */
const RUN = randomBytes(3).toString('hex');
let counter = 0;

export interface V2Event {
  type: string;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  unsigned?: Record<string, unknown>;
}

export interface V2JoinedRoom {
  state: { events: V2Event[] };
  timeline: { events: V2Event[]; limited: boolean; prev_batch?: string };
  summary?: Record<string, unknown>;
  unread_notifications?: Record<string, number>;
  ephemeral?: { events: Record<string, unknown>[] };
  account_data?: { events: Record<string, unknown>[] };
}

export interface V2SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, V2JoinedRoom>;
    invite?: Record<string, unknown>;
    leave?: Record<string, unknown>;
  };
  to_device?: { events: Record<string, unknown>[] };
  account_data?: { events: Record<string, unknown>[] };
  [key: string]: unknown;
}

export function uniqueId(prefix: string): string {
  return `${prefix}${String(++counter)}_${RUN}`;
}

/** `!<name>_<n>_<run>:fake.test` */
export function newRoomId(name = 'room'): string {
  return `!${uniqueId(`${name}_`)}:fake.test`;
}

export function newUser(name: string): { userId: string; deviceId: string; token: string } {
  const local = uniqueId(`${name}_`);
  return { userId: `@${local}:fake.test`, deviceId: `DEV_${local}`, token: `tok_${local}` };
}

export function message(sender: string, body: string, extra: Partial<V2Event> = {}): V2Event {
  return {
    type: 'm.room.message',
    event_id: `$${uniqueId('ev')}`,
    sender,
    origin_server_ts: Date.now(),
    content: { msgtype: 'm.text', body },
    ...extra,
  };
}

export function stateEvent(
  sender: string,
  type: string,
  stateKey: string,
  content: Record<string, unknown>,
): V2Event {
  return {
    type,
    state_key: stateKey,
    event_id: `$${uniqueId('st')}`,
    sender,
    origin_server_ts: Date.now(),
    content,
  };
}

/** A room as `creator` made it: create, own join, power levels, join rules, and a name if given. */
export function createRoomState(creator: string, name?: string): V2Event[] {
  return [
    stateEvent(creator, 'm.room.create', '', { creator, room_version: '10' }),
    stateEvent(creator, 'm.room.member', creator, { membership: 'join' }),
    stateEvent(creator, 'm.room.power_levels', '', { users: { [creator]: 100 } }),
    stateEvent(creator, 'm.room.join_rules', '', { join_rule: 'invite' }),
    ...(name === undefined ? [] : [stateEvent(creator, 'm.room.name', '', { name })]),
  ];
}

/** A `rooms.join` entry. A joined room with state but no timeline is no homeserver's answer. */
export function joinedRoom(opts: {
  state?: V2Event[];
  timeline: V2Event[];
  limited?: boolean;
  prevBatch?: string;
  extra?: Partial<V2JoinedRoom>;
}): V2JoinedRoom {
  if ((opts.state?.length ?? 0) > 0 && opts.timeline.length === 0) {
    throw new Error('a joined room with state needs a timeline');
  }
  return {
    state: { events: opts.state ?? [] },
    timeline: {
      events: opts.timeline,
      limited: opts.limited ?? false,
      ...(opts.prevBatch === undefined ? {} : { prev_batch: opts.prevBatch }),
    },
    ...opts.extra,
  };
}

export function toDeviceMessage(
  sender: string,
  content: Record<string, unknown>,
  type = 'm.room_key_request',
): Record<string, unknown> {
  return { type, sender, content: { ...content, request_id: uniqueId('req') } };
}

export function syncResponse(
  nextBatch: string,
  opts: {
    join?: Record<string, V2JoinedRoom>;
    toDevice?: Record<string, unknown>[];
    extra?: Record<string, unknown>;
  } = {},
): V2SyncResponse {
  return {
    next_batch: nextBatch,
    ...(opts.join === undefined ? {} : { rooms: { join: opts.join } }),
    ...(opts.toDevice === undefined ? {} : { to_device: { events: opts.toDevice } }),
    ...opts.extra,
  };
}
