import type {
  ClientEvent,
  StateEvent,
  StateRow,
  StrippedStateEvent,
  SyncReader,
  TimelineRow,
  UserRoomRow,
} from '@gateway/sync-data';
import type { RoomIndexEntry } from '../room-index/room-index';
import type { RoomParams } from '../protocol/sync-request';
import { heroesFromState, heroesToWire } from './heroes';
import {
  compileRequiredState,
  lazyMembersFor,
  requiredStateKey,
  selectRequiredState,
} from './required-state';
import { computeRoomAvatar } from './room-avatar';
import { computeRoomName } from './room-name';
import type { OlderPage } from './older-events';
import { MAX_LAZY_MEMBERS, type RoomSent } from './room-sent';
import type { RoomResponse } from '../protocol/sync-response';

/** A room the answer carries, and how much of it the connection already has. */
export interface RoomToBuild {
  row: UserRoomRow;
  entry: RoomIndexEntry;
  params: RoomParams;
  /** undefined: new to the connection (an initial room). */
  sent: RoomSent | undefined;
  /** The required_state config changed since the room was sent: resend all matching state. */
  stateReset: boolean;
  /**
   * The timeline_limit grew since the room was sent: its timeline is the latest `timelineLimit` events,
   * including ones sent before, and says so (`unstable_expanded_timeline`).
   */
  expandTimeline?: boolean;
}

export interface BuildContext {
  reader: SyncReader;
  userId: string;
  deviceId: string;
  toSeq: number;
  /** Tokens for paginating before the oldest returned event, when the stored row has none. */
  prevBatch: (roomId: string, eventId: string) => Promise<string | undefined>;
  /** The homeserver's events before a token (`/messages`), for a first window the store cannot fill. */
  olderEvents?: (roomId: string, from: string, limit: number) => Promise<OlderPage | undefined>;
}

export interface BuiltRooms {
  rooms: Map<string, RoomResponse>;
  sent: Map<string, RoomSent>;
}

const MEMBER = 'm.room.member';

/**
 * Builds the room objects of one answer with a fixed number of queries however many rooms: one for
 * timelines, one for non-member state, one for the member events names, heroes and lazy loading need.
 */
export async function buildRooms(ctx: BuildContext, rooms: readonly RoomToBuild[]): Promise<BuiltRooms> {
  const { reader, toSeq } = ctx;
  // A room the user left (or was kicked or banned from) is shown as of the leave, as MSC4186 says and
  // Synapse does: what its members did since is not the former member's to see.
  const endsAt = new Map(
    rooms.flatMap((r) => {
      const left = r.row.membership === 'leave' || r.row.membership === 'ban';
      return left && r.row.visibleToSeq !== null ? [[r.row.roomId, r.row.visibleToSeq] as const] : [];
    }),
  );
  const withTimeline = rooms.filter((r) => hasTimeline(r.row));
  const matchers = new Map(
    rooms.map((r) => [
      r.row.roomId,
      compileRequiredState(r.params.requiredState, ctx.userId, r.params.excludeState),
    ]),
  );
  const allMemberRooms = withTimeline.filter((r) => matchers.get(r.row.roomId)?.wantsAllMembers === true);
  // Reads started together go to Postgres as one statement (SyncReader): these three need nothing
  // from each other, the member events and transaction ids below need the timelines.
  const [nonMemberRows, timelineRows, allMemberRows] = await Promise.all([
    reader.state(
      withTimeline.map((r) => r.row.roomId),
      { excludeMembers: true, toSeq, endsAt },
    ),
    reader.timelines(
      withTimeline.map((r) => ({
        roomId: r.row.roomId,
        fromSeq: Math.max(r.expandTimeline === true ? -1 : (r.sent?.seq ?? -1), r.row.visibleFromSeq - 1),
        toSeq: Math.min(r.row.visibleToSeq ?? toSeq, toSeq),
        limit: r.params.timelineLimit + 1,
      })),
    ),
    reader.state(
      allMemberRooms.map((r) => r.row.roomId),
      { types: [MEMBER], toSeq, endsAt },
    ),
  ]);
  const nonMember = groupBy(nonMemberRows, (s) => s.roomId);
  const allMembers = groupBy(allMemberRows, (s) => s.roomId);
  // Nor, unless the room is world-readable, what was said before they joined: history visibility lets a
  // user see the room's earlier history only while they are a member.
  const joinedAt = await reader.latestJoins(
    ctx.userId,
    [...endsAt]
      .filter(([roomId]) => historyVisibility(nonMember.get(roomId) ?? []) !== 'world_readable')
      .map(([roomId, seq]) => ({ roomId, toSeq: seq })),
  );

  const rowsByRoom = groupBy(timelineRows, (t) => t.roomId);
  const timelines = new Map<string, TimelineSlice>();
  for (const r of withTimeline) {
    timelines.set(
      r.row.roomId,
      sliceTimeline(rowsByRoom.get(r.row.roomId) ?? [], r, joinedAt.get(r.row.roomId) ?? -1),
    );
  }
  await Promise.all(
    withTimeline.map(async (r) => {
      const slice = timelines.get(r.row.roomId);
      if (slice !== undefined && !endsAt.has(r.row.roomId)) await topUp(ctx, r, slice);
    }),
  );

  // Members asked for by name: the user, lazy-loaded senders and targets, heroes (for their profiles).
  const wanted = new Map<string, Set<string>>();
  for (const r of withTimeline) {
    const ids = new Set<string>([ctx.userId, ...(r.row.heroes ?? [])]);
    const slice = timelines.get(r.row.roomId);
    if (matchers.get(r.row.roomId)?.lazyMembers === true && slice !== undefined) {
      for (const id of lazyMembersFor(slice.events)) ids.add(id);
    }
    wanted.set(r.row.roomId, ids);
  }
  const [memberRows, txnIds] = await Promise.all([
    reader.members(
      [...wanted].flatMap(([roomId, ids]) => [...ids].map((userId) => ({ roomId, userId }))),
      toSeq,
      endsAt,
    ),
    reader.txnIds(
      ctx.userId,
      ctx.deviceId,
      [...timelines.values()].flatMap((t) => t.events.map((e) => e.event_id)),
    ),
  ]);
  const members = groupBy(memberRows, (s) => s.roomId);

  const out = new Map<string, RoomResponse>();
  const sent = new Map<string, RoomSent>();
  for (const r of rooms) {
    const roomId = r.row.roomId;
    const matcher = matchers.get(roomId);
    if (matcher === undefined) continue;
    const initial = r.sent === undefined;
    const response: RoomResponse = {
      notification_count: r.row.notificationCount,
      highlight_count: r.row.highlightCount,
      membership: r.row.membership,
    };
    const memberEvents = new Map<string, StateEvent>();
    for (const m of [...(allMembers.get(roomId) ?? []), ...(members.get(roomId) ?? [])]) {
      memberEvents.set(m.event.state_key, m.event);
    }
    const heroes = heroesFromState(r.row.heroes ?? [], memberEvents);
    const named = {
      ...r.entry,
      ...(endsAt.has(roomId) ? describedBy(nonMember.get(roomId) ?? []) : {}),
      heroes,
    };
    const name = computeRoomName(named);
    const avatar = computeRoomAvatar(named);
    if (initial || r.sent?.name !== name) response.name = name;
    if (initial ? avatar !== null : r.sent?.avatar !== avatar) response.avatar = avatar;
    if (
      r.entry.name === null &&
      heroes.length > 0 &&
      (initial || r.row.userChangedSeq > (r.sent?.seq ?? -1))
    ) {
      response.heroes = heroesToWire(heroes);
    }
    if (initial) response.initial = true;
    if (r.entry.isDm) response.is_dm = true;
    const counts: [number, number] = [r.row.joinedCount ?? 0, r.row.invitedCount ?? 0];
    // A former member has no current member counts (Synapse sends none for a room left).
    if (
      !endsAt.has(roomId) &&
      (initial || r.sent?.counts[0] !== counts[0] || r.sent.counts[1] !== counts[1])
    ) {
      response.joined_count = counts[0];
      response.invited_count = counts[1];
    }
    if (initial || r.sent?.bump !== r.entry.bumpStamp) response.bump_stamp = r.entry.bumpStamp;
    let lazySent = r.sent?.lazy ?? [];

    if (!hasTimeline(r.row)) {
      // Invites and knocks: what the inviter shared, no timeline and no `limited` (as Synapse).
      if (initial || r.row.userChangedSeq > (r.sent?.seq ?? -1))
        response.invite_state = (r.row.inviteState ?? []).map(stripped);
    } else {
      const slice = timelines.get(roomId) ?? { events: [], limited: false, oldest: undefined, numLive: 0 };
      const afterSeq = initial || r.stateReset ? -1 : (r.sent?.seq ?? -1);
      const lazy = matcher.lazyMembers ? lazyMembersFor(slice.events) : new Set<string>();
      const alreadyLazy = new Set(initial || r.stateReset ? [] : lazySent);
      const candidates: StateEvent[] = [
        ...(nonMember.get(roomId) ?? []).filter((s) => s.seq > afterSeq).map((s) => s.event),
        ...(allMembers.get(roomId) ?? []).filter((s) => s.seq > afterSeq).map((s) => s.event),
        ...(members.get(roomId) ?? [])
          .filter(
            (s) => s.seq > afterSeq || (lazy.has(s.event.state_key) && !alreadyLazy.has(s.event.state_key)),
          )
          .map((s) => s.event),
      ];
      const lazyNew = new Set(
        [...lazy].filter((id) => !alreadyLazy.has(id) || candidates.some((c) => c.state_key === id)),
      );
      const state = selectRequiredState(candidates, matcher, lazyNew);
      if (initial || state.length > 0 || r.stateReset) response.required_state = state;
      response.timeline = slice.events.map((e) => withTxnId(e, txnIds.get(e.event_id)));
      if (r.expandTimeline === true && !initial) response.unstable_expanded_timeline = true;
      response.limited = slice.limited;
      response.num_live = initial ? 0 : slice.numLive;
      if (slice.olderEnd !== undefined) {
        if (slice.olderEnd !== null) response.prev_batch = slice.olderEnd;
      } else if (slice.oldest !== undefined) {
        const token = slice.oldest.prevBatch ?? (await ctx.prevBatch(roomId, slice.oldest.event.event_id));
        if (token !== undefined) response.prev_batch = token;
      }
      // Every member event this connection has been sent, however it was asked for ($ME, $LAZY, "*"):
      // lazy loading skips those next time, as Synapse does.
      const sentMembers = state.filter((e) => e.type === 'm.room.member').map((e) => e.state_key);
      lazySent = [...new Set([...(initial || r.stateReset ? [] : lazySent), ...sentMembers])].slice(
        -MAX_LAZY_MEMBERS,
      );
    }
    out.set(roomId, response);
    sent.set(roomId, {
      seq: toSeq,
      rs: requiredStateKey(r.params.requiredState, r.params.excludeState),
      tl: r.params.timelineLimit,
      name,
      avatar,
      bump: r.entry.bumpStamp,
      counts,
      lazy: lazySent,
    });
  }
  return { rooms: out, sent };
}

interface TimelineSlice {
  events: ClientEvent[];
  limited: boolean;
  oldest: TimelineRow | undefined;
  numLive: number;
  /** Set when events from the homeserver went before the stored ones: their token (null: room start). */
  olderEnd?: string | null;
}

/**
 * A room's first window (or a grown one) with fewer events than asked for, cut by a gap the poller
 * stored: the events before the gap come from the homeserver, so a cold room shows `timeline_limit`
 * events when the room has them, as Synapse's own sliding sync does.
 */
async function topUp(ctx: BuildContext, r: RoomToBuild, slice: TimelineSlice): Promise<void> {
  const need = r.params.timelineLimit - slice.events.length;
  const oldest = slice.oldest;
  if (ctx.olderEvents === undefined || need <= 0 || oldest === undefined || !oldest.gapBefore) return;
  if (r.sent !== undefined && r.expandTimeline !== true) return;
  const from = oldest.prevBatch ?? (await ctx.prevBatch(r.row.roomId, oldest.event.event_id));
  if (from === undefined) return;
  const page = await ctx.olderEvents(r.row.roomId, from, need);
  if (page === undefined) return;
  const have = new Set(slice.events.map((e) => e.event_id));
  slice.events = [...page.events.filter((e) => !have.has(e.event_id)), ...slice.events];
  // A short page is the start of the room (or of what the user may see).
  slice.limited = page.events.length >= need && page.end !== undefined;
  slice.olderEnd = page.end ?? null;
}

/**
 * Rows come newest first, one more than the limit: the extra one only says "there is more". A stored
 * gap (the poller's v2 chunk was `limited`) inside the window cuts it there: events on the far side of a
 * gap are not contiguous with the rest, so the client must paginate from the gap's token.
 */
function sliceTimeline(
  rowsNewestFirst: readonly TimelineRow[],
  r: RoomToBuild,
  visibleFrom: number,
): TimelineSlice {
  const limit = r.params.timelineLimit;
  // Rows the user may not see are dropped after the limit is applied, as Synapse filters by history
  // visibility after fetching: the window can be shorter than the limit and still `limited`.
  let rows = rowsNewestFirst
    .slice(0, limit)
    .reverse()
    .filter((t) => t.seq >= visibleFrom);
  let limited = rowsNewestFirst.length > limit;
  const gapIndex = findLastIndex(rows, (t) => t.gapBefore);
  if (gapIndex >= 0) {
    rows = rows.slice(gapIndex);
    limited = true;
  }
  return {
    events: rows.map((t) => t.event),
    limited,
    oldest: rows[0],
    numLive: r.sent === undefined ? 0 : rows.filter((t) => t.seq > (r.sent?.seq ?? 0)).length,
  };
}

/** Stripped state as Synapse sends it: the invite event too loses its id, timestamp and unsigned. */
function stripped(e: StrippedStateEvent): StrippedStateEvent {
  return { content: e.content, sender: e.sender, state_key: e.state_key, type: e.type };
}

function historyVisibility(state: readonly StateRow[]): unknown {
  return state.find((s) => s.event.type === 'm.room.history_visibility' && s.event.state_key === '')?.event
    .content['history_visibility'];
}

/** What a room's name and avatar are computed from, read from its state (as of a leave). */
function describedBy(
  state: readonly StateRow[],
): Pick<RoomIndexEntry, 'name' | 'canonicalAlias' | 'avatarUrl'> {
  const content = (type: string, key: string): string | null => {
    const value = state.find((s) => s.event.type === type && s.event.state_key === '')?.event.content[key];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  return {
    name: content('m.room.name', 'name'),
    canonicalAlias: content('m.room.canonical_alias', 'alias'),
    avatarUrl: content('m.room.avatar', 'url'),
  };
}

function hasTimeline(row: UserRoomRow): boolean {
  return row.membership !== 'invite' && row.membership !== 'knock';
}

function withTxnId(event: ClientEvent, txnId: string | undefined): ClientEvent {
  if (txnId === undefined) return event;
  return { ...event, unsigned: { ...(event.unsigned ?? {}), transaction_id: txnId } };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

function findLastIndex<T>(items: readonly T[], predicate: (t: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}
