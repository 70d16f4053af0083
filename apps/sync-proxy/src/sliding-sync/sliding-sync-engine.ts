import { MatrixError } from '@gateway/matrix';
import type { OpenedConnection, SyncReader, SyncSnapshot, SyncStore } from '@gateway/sync-data';
import type { Identity } from '../auth/token-store';
import { buildExtensions } from './extensions/build-extensions';
import { buildRoomIndex } from './room-index/build-room-index';
import { carryListable, listableIndex } from './listable-index';
import { withFreshRows, type CachedRoomIndex, type RoomIndexCache } from './room-index/room-index-cache';
import { formatPos } from './protocol/parse-query';
import type { RoomParams, SyncQuery, SyncRequest } from './protocol/sync-request';
import { requiredStateKey } from './rooms/required-state';
import { buildRooms, type RoomToBuild } from './rooms/build-rooms';
import type { OlderPage } from './rooms/older-events';
import type { ThreadSubscriptionPage } from './extensions/thread-subscriptions';
import { deserialiseState, emptyState, serialiseState, type ConnectionState } from './connection-state';
import { matchPos } from './pos-guard';
import { selectRooms } from './lists/select-rooms';
import type { SyncResponse } from './protocol/sync-response';
import { PROTOCOL_NAMES, type Translation } from './translation';

export interface ComputeResult {
  response: SyncResponse;
  /** Worth answering now: new rooms data, extension data, a new connection, or changed subscriptions. */
  answer: boolean;
  /** The rooms the user can see, for long-poll wake-ups (shared between requests: do not modify). */
  roomIds: ReadonlySet<string>;
  toSeq: number;
}

export interface EngineDeps {
  store: SyncStore;
  /** Users' room lists kept between requests; without it every request reads the list. */
  indexCache?: RoomIndexCache;
  prevBatch: (token: string, roomId: string, eventId: string) => Promise<string | undefined>;
  /** The homeserver's `/messages` as the user, for cold first windows (see rooms/build-rooms.ts). */
  olderEvents?: (
    token: string,
    roomId: string,
    from: string,
    limit: number,
  ) => Promise<OlderPage | undefined>;
  /** The homeserver's MSC4308 companion endpoint as the user (see extensions/thread-subscriptions.ts). */
  threadSubscriptions?: (
    token: string,
    after: number,
    limit: number,
  ) => Promise<ThreadSubscriptionPage | undefined>;
}

/** Longest conn_id kept (characters); clients use short names such as `main` or `encryption`. */
export const MAX_CONN_ID_LENGTH = 256;

/**
 * The conn_id is a key column of sync_connections: Postgres text cannot hold NUL, and a btree index row
 * cannot exceed ~8 kB, so either used to fail the query with a 500 (found by the security tier). Every
 * protocol's translation reaches here, so the check is made once.
 */
function checkConnId(connId: string): void {
  if (connId.length > MAX_CONN_ID_LENGTH)
    throw new MatrixError('M_BAD_JSON', `conn_id: must be at most ${MAX_CONN_ID_LENGTH} characters`);
  if (connId.includes('\0')) throw new MatrixError('M_BAD_JSON', 'conn_id: must not contain NUL');
}

/**
 * Computes one sliding-sync answer in one database snapshot: reads the connection, lists and rooms,
 * and stores what the answer leaves the connection knowing as its pending state.
 */
export class SlidingSyncEngine {
  /** The last queued computation of each connection (user, device, conn_id) in this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: EngineDeps) {}

  /**
   * Requests of one connection run one after another here, before they take a database connection:
   * in the database they would wait for each other's row lock while each held a pooled connection, so a
   * client sending a dozen at once emptied the pool and every other user's request failed (a 500 after
   * the pool's connect timeout; found by the security tier's fuzzing).
   */
  compute(identity: Identity, query: SyncQuery, translation: Translation): Promise<ComputeResult> {
    checkConnId(translation.connId);
    const key = JSON.stringify([identity.userId, identity.deviceId, translation.connId]);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(() =>
      this.deps.store.snapshot((s) => this.computeIn(s, identity, query, translation)),
    );
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  /**
   * The user's room list: from the cache, with the rooms messages changed since re-read in this
   * snapshot, else read whole in this snapshot (and offered). `toSeq` is the snapshot's position, known
   * once the connection is opened (undefined: it was not, and nothing is cached).
   */
  private async roomIndex(
    reader: SyncReader,
    userId: string,
    toSeq: Promise<number | undefined>,
  ): Promise<CachedRoomIndex> {
    const cache = this.deps.indexCache;
    const mark = cache?.mark() ?? 0;
    const cached = cache?.get(userId);
    if (cached !== undefined) {
      if (cached.stale.size === 0) return cached.index;
      const fresh = await reader.userRooms(userId, [...cached.stale]);
      const index = withFreshRows(cached.index, cached.stale, fresh);
      carryListable(userId, cached.index, index, cached.stale);
      const seq = await toSeq;
      if (seq !== undefined) cache?.refreshed(userId, cached, index, seq, mark);
      return index;
    }
    const [rows, accountData] = await Promise.all([
      reader.userRooms(userId),
      reader.accountDataOfTypes(userId, ['m.direct', 'm.tag']),
    ]);
    const index: CachedRoomIndex = { rows, accountData, roomIds: new Set(rows.map((r) => r.roomId)) };
    const seq = await toSeq;
    if (seq !== undefined) cache?.offer(userId, index, seq, mark);
    return index;
  }

  private async computeIn(
    s: SyncSnapshot,
    identity: Identity,
    query: SyncQuery,
    translation: Translation,
  ): Promise<ComputeResult> {
    const { reader, connections } = s;
    const { userId, deviceId } = identity;

    let state: ConnectionState;
    // The request acknowledged the pending answer: it becomes committed with this answer's save (one
    // statement), or on its own when there is nothing to save.
    let promote = false;
    const opening: Promise<OpenedConnection | null> =
      query.pos === undefined
        ? connections.create(userId, deviceId, translation.connId)
        : connections.lock(userId, deviceId, translation.connId, query.pos.position);
    // The room list is read beside the lock, in the same round trip (BatchedQuery of libs/sync-data)
    // and the same snapshot. When the connection cannot be opened, that error is the one reported.
    const listing = this.roomIndex(
      reader,
      userId,
      opening.then(
        (o) => o?.maxSeq,
        () => undefined,
      ),
    );
    void listing.catch(() => undefined);
    const opened = await opening;
    // Only a lock finds nothing: a pos of a connection that does not exist (any more).
    if (opened === null) throw new MatrixError('M_UNKNOWN_POS', 'Unknown position');
    if (query.pos === undefined) {
      state = emptyState();
    } else {
      const match = matchPos(opened.row, query.pos.position);
      promote = match === 'pending';
      state = deserialiseState(opened.row.state);
      if (state.protocol !== undefined && state.protocol !== translation.protocol) {
        // The client may retry without `pos`, which opens a new connection under this API.
        throw new MatrixError(
          'M_UNKNOWN_POS',
          `This connection was opened with ${PROTOCOL_NAMES[state.protocol]} and cannot be continued with ${PROTOCOL_NAMES[translation.protocol]}: start a new connection (omit pos) or use a different conn_id`,
        );
      }
    }

    const conn = opened.row;
    const toSeq = opened.maxSeq;

    const req = translation.resolve(state.extra);
    const subscriptions = new Map(state.subscriptions);
    let subsChanged = false;
    for (const [roomId, params] of req.roomSubscriptions) {
      const old = subscriptions.get(roomId);
      if (old === undefined || !sameParams(old, params)) subsChanged = true;
      subscriptions.set(roomId, params);
    }
    for (const roomId of req.unsubscribeRooms) {
      if (subscriptions.delete(roomId)) subsChanged = true;
    }

    const listed = await listing;
    const { accountData, roomIds } = listed;
    // A room the user left is listed once, in the first answer after the leave (Synapse's "newly left");
    // every stream position equals the previous answer's, so any of them marks where that answer ended.
    const leftAfter = state.streams === null ? null : state.streams.accountData;
    const index = listableIndex(userId, listed, leftAfter);
    const children = await spaceChildren(reader, req, toSeq);
    const selection = selectRooms(index.entries, req.lists, subscriptions, roomIds, {
      userId,
      childrenOf: (spaceId) => children.get(spaceId) ?? new Set(),
    });

    const entries = index.byId;
    const toBuild: RoomToBuild[] = [];
    for (const [roomId, params] of selection.params) {
      const row = index.rows.get(roomId);
      if (row === undefined) continue;
      const entry = entries.get(roomId) ?? buildRoomIndex(userId, [row], accountData, -1).entries[0];
      if (entry === undefined) continue;
      const sent = state.rooms.get(roomId);
      const changedSeq = Math.max(row.room?.changedSeq ?? 0, row.userChangedSeq);
      const stateReset =
        sent !== undefined && sent.rs !== requiredStateKey(params.requiredState, params.excludeState);
      const grew = sent !== undefined && params.timelineLimit > sent.tl;
      if (sent !== undefined && changedSeq <= sent.seq && !stateReset && !grew) continue;
      // A grown timeline_limit re-sends the room's latest events, flagged as expanded (MSC4186 "Changes to
      // timeline_limit"), not the whole room as new.
      toBuild.push({ row, entry, params, sent, stateReset, expandTimeline: grew });
    }

    const older = this.deps.olderEvents;
    const building = buildRooms(
      {
        reader,
        userId,
        deviceId,
        toSeq,
        prevBatch: (roomId, eventId) => this.deps.prevBatch(identity.token, roomId, eventId),
        ...(older === undefined
          ? {}
          : {
              olderEvents: (roomId: string, from: string, limit: number) =>
                older(identity.token, roomId, from, limit),
            }),
      },
      toBuild,
    );
    // The extensions need nothing from the built rooms but, for a new connection's receipts, the events
    // shown: their reads start now and go to Postgres with the rooms' first ones (SyncReader).
    const timelineEvents = building.then(
      (built) => new Map([...built.rooms].map(([id, r]) => [id, (r.timeline ?? []).map((e) => e.event_id)])),
    );
    // A failure is reported through `building` below; unread, this one would be an unhandled rejection.
    void timelineEvents.catch(() => undefined);
    const threads = this.deps.threadSubscriptions;
    const extending = buildExtensions(req.extensions, {
      reader,
      toDevice: this.deps.store.toDevice,
      userId,
      deviceId,
      toSeq,
      streams: state.streams,
      roomsByList: selection.roomsByList,
      subscribed: new Set([...subscriptions.keys()].filter((id) => index.rows.has(id))),
      timelineEvents,
      // Every room to build is in the answer.
      newRooms: new Set(toBuild.map((r) => r.row.roomId).filter((id) => !state.rooms.has(id))),
      ...(threads === undefined
        ? {}
        : {
            threadSubscriptions: (after: number, limit: number) => threads(identity.token, after, limit),
          }),
    });
    const [built, extensions] = await Promise.all([building, extending]);

    const answer =
      query.pos === undefined ||
      built.rooms.size > 0 ||
      extensions.hasData ||
      subsChanged ||
      translation.mustAnswer?.() === true;
    const lists = Object.fromEntries(selection.lists);
    if (!answer && query.pos !== undefined) {
      // Nothing new: the position stays, so an idle long-poll costs no write.
      let response = withTxn(
        { pos: formatPos({ position: query.pos.position }), lists, rooms: {}, extensions: extensions.body },
        req,
      );
      if (translation.finish !== undefined)
        response = translation.finish(response, state.extra, req).response;
      if (promote) await connections.promote(conn.connKey);
      return { response, answer, roomIds, toSeq };
    }
    const position = opened.position;
    let response = withTxn(
      {
        pos: formatPos({ position }),
        lists,
        rooms: Object.fromEntries(built.rooms),
        extensions: extensions.body,
      },
      req,
    );
    let extra = state.extra;
    if (translation.finish !== undefined)
      ({ response, store: extra } = translation.finish(response, state.extra, req));
    const next: ConnectionState = {
      rooms: new Map([...state.rooms, ...built.sent]),
      subscriptions,
      streams: {
        accountData: toSeq,
        receipts: toSeq,
        typing: toSeq,
        deviceLists: toSeq,
        ...(extensions.threadSubscriptions === undefined
          ? {}
          : { threadSubscriptions: extensions.threadSubscriptions }),
      },
      extra,
      protocol: translation.protocol,
    };
    await connections.savePending(conn.connKey, position, serialiseState(next), promote);
    return { response, answer, roomIds, toSeq };
  }
}

function withTxn(response: SyncResponse, req: SyncRequest): SyncResponse {
  return req.txnId === undefined ? response : { ...response, txn_id: req.txnId };
}

function sameParams(a: RoomParams, b: RoomParams): boolean {
  return (
    a.timelineLimit === b.timelineLimit &&
    requiredStateKey(a.requiredState, a.excludeState) === requiredStateKey(b.requiredState, b.excludeState)
  );
}

/** `m.space.child` targets (with a non-empty `via`) of the spaces any list filters on. */
async function spaceChildren(
  reader: SyncReader,
  req: SyncRequest,
  toSeq: number,
): Promise<Map<string, Set<string>>> {
  const spaces = new Set<string>();
  for (const list of req.lists.values()) for (const id of list.filters.spaces ?? []) spaces.add(id);
  const out = new Map<string, Set<string>>();
  if (spaces.size === 0) return out;
  const rows = await reader.state([...spaces], { types: ['m.space.child'], toSeq });
  for (const row of rows) {
    const via = row.event.content['via'];
    if (!Array.isArray(via) || via.length === 0) continue;
    const set = out.get(row.roomId) ?? new Set<string>();
    set.add(row.event.state_key);
    out.set(row.roomId, set);
  }
  return out;
}
