import { setMaxListeners } from 'node:events';
import type { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';
import { inPool } from './seed';
import { RateLimited, roomListBody, sync, type SyncAnswer } from './sliding';
import { sinceCreatedMs } from './stats';

/** Where one side of the comparison is reached: the proxy with device P, Synapse with device N. */
export interface Side {
  name: 'proxy' | 'native';
  baseUrl: string;
  token: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 1. Element X's first room-list request on a new connection (no `pos`): wall time in ms. */
export async function firstResponse(side: Side, connId: string, rooms: number): Promise<number> {
  const r = await sync(side.baseUrl, side.token, roomListBody(connId, 19));
  const got = Object.keys(r.rooms).length;
  if (r.count !== rooms || got !== Math.min(20, rooms))
    throw new Error(`${side.name}: first response has count ${r.count} and ${got} rooms, expected ${rooms}`);
  return r.ms;
}

/**
 * 2. The whole list as rust-sdk's growing mode loads it: `[[0,19]]`, then `[[0,99]]`, `[[0,199]]`, …
 * with `timeout=0` on one connection until every room arrived. Wall time in ms and the request count.
 */
export async function fullList(
  side: Side,
  connId: string,
  rooms: number,
): Promise<{ ms: number; requests: number }> {
  const t0 = performance.now();
  let end = 19;
  let r = await sync(side.baseUrl, side.token, roomListBody(connId, end));
  const seen = new Set(Object.keys(r.rooms));
  let requests = 1;
  while (seen.size < r.count && end < r.count + 100) {
    end = end < 99 ? 99 : end + 100;
    r = await sync(side.baseUrl, side.token, roomListBody(connId, end), { pos: r.pos, timeout: 0 });
    for (const id of Object.keys(r.rooms)) seen.add(id);
    requests++;
  }
  const ms = performance.now() - t0;
  if (seen.size !== rooms || r.count !== rooms)
    throw new Error(`${side.name}: full list brought ${seen.size} of ${rooms} rooms (count ${r.count})`);
  return { ms, requests };
}

/**
 * 3. Send → receive: the receiver long-polls (`timeout=30000`, with `pos`) on its room-list connection,
 * bob `PUT`s a message into their DM, and the time runs from before the `PUT` until a long-poll answer
 * carries the event. `gapMs` lets the long-poll reach its wait before the send. Per message, in ms: `times`
 * (send → receive) and `sinceCreated` (the event's `origin_server_ts` → the answer in hand, wall clock).
 */
export async function sendToReceive(
  side: Side,
  bob: TestClient,
  roomId: string,
  messages: number,
  gapMs: number,
  progress: (done: number) => void,
): Promise<{ times: number[]; sinceCreated: number[] }> {
  const body = roomListBody(`latency-${side.name}`, 19);
  let pos = (await sync(side.baseUrl, side.token, body)).pos;
  // One message first, so the DM is in the window and nothing is left to catch up on.
  pos = (await receive(side, body, pos, roomId, await bob.send(roomId, 'warm-up'))).pos;
  const times: number[] = [];
  const sinceCreated: number[] = [];
  for (let i = 0; i < messages; i++) {
    pos = (await sync(side.baseUrl, side.token, body, { pos, timeout: 0 })).pos;
    const pending = sync(side.baseUrl, side.token, body, { pos, timeout: 30_000 });
    await sleep(gapMs);
    const t0 = performance.now();
    const eventId = await bob.send(roomId, `latency ${String(i)}`);
    const got = await receive(side, body, pos, roomId, eventId, pending);
    times.push(got.at - t0);
    sinceCreated.push(got.sinceCreated);
    pos = got.pos;
    if ((i + 1) % 50 === 0) progress(i + 1);
  }
  return { times, sinceCreated };
}

/**
 * Long-polls until an answer carries `eventId` in `roomId`'s timeline; `at` is when it arrived, and
 * `sinceCreated` the wall-clock ms from the event's `origin_server_ts` to then.
 */
async function receive(
  side: Side,
  body: Record<string, unknown>,
  pos: string,
  roomId: string,
  eventId: string,
  pending?: Promise<SyncAnswer>,
): Promise<{ pos: string; at: number; sinceCreated: number }> {
  let next = pending ?? sync(side.baseUrl, side.token, body, { pos, timeout: 30_000 });
  for (let i = 0; i < 20; i++) {
    const r = await next;
    const at = performance.now();
    const event = (r.rooms[roomId]?.timeline ?? []).find((e) => e.event_id === eventId);
    if (event !== undefined) return { pos: r.pos, at, sinceCreated: sinceCreatedMs(side.name, event, at) };
    next = sync(side.baseUrl, side.token, body, { pos: r.pos, timeout: 30_000 });
  }
  throw new Error(`${side.name}: ${eventId} did not arrive in 20 answers`);
}

/** Alice's long-polling connections on one side, held open until {@link Holders.release}. */
export interface Holders {
  /** Opens connections until there are `n` (first request each, four at a time), then long-polls on all. */
  hold: (n: number) => Promise<void>;
  release: () => Promise<void>;
  /** How many long-polls were told 429 `M_LIMIT_EXCEEDED` and retried, so far. */
  limited: () => number;
}

export function holders(side: Side): Holders {
  const conns: { connId: string; pos: string }[] = [];
  let abort = new AbortController();
  let loops: Promise<void>[] = [];
  let failure: Error | undefined;
  let limited = 0;
  const body = (connId: string): Record<string, unknown> => roomListBody(connId, 19);
  const loop = async (conn: { connId: string; pos: string }, signal: AbortSignal): Promise<void> => {
    for (;;) {
      try {
        const r = await sync(
          side.baseUrl,
          side.token,
          body(conn.connId),
          { pos: conn.pos, timeout: 30_000 },
          signal,
        );
        conn.pos = r.pos;
      } catch (err) {
        if (signal.aborted) return;
        // As a client does: a burst of long-polls may be told to come back (the pool was busy).
        if (err instanceof RateLimited) {
          limited++;
          await sleep(err.retryAfterMs);
          continue;
        }
        throw err;
      }
    }
  };
  return {
    hold: async (n) => {
      const fresh = Array.from(
        { length: Math.max(0, n - conns.length) },
        (_, i) => `hold-${String(conns.length + i)}`,
      );
      await inPool(fresh, 4, async (connId) => {
        conns.push({ connId, pos: (await sync(side.baseUrl, side.token, body(connId))).pos });
      });
      abort = new AbortController();
      const signal = abort.signal;
      // One signal ends every long-poll at once: each fetch listens on it, 10,000 of them by design.
      setMaxListeners(n + 10, signal);
      loops = conns.slice(0, n).map((c) =>
        loop(c, signal).catch((err: unknown) => {
          failure ??= err instanceof Error ? err : new Error(`long-poll failed: ${JSON.stringify(err)}`);
        }),
      );
    },
    limited: () => limited,
    release: async () => {
      abort.abort();
      await Promise.all(loops);
      loops = [];
      if (failure !== undefined) throw failure;
    },
  };
}
