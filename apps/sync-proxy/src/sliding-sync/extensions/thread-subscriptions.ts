import { upstreamJson } from '@gateway/http';
import { isJsonObject } from '@gateway/util';

/** Synapse's companion endpoint of MSC4308 (unstable prefix), the source of the extension's data. */
export const THREAD_SUBSCRIPTIONS_PATH = '/_matrix/client/unstable/io.element.msc4308/thread_subscriptions';
/** Synapse answers at most this many changes per request to the companion endpoint (its MAX_LIMIT). */
export const COMPANION_MAX_LIMIT = 512;
/** 512 changes of a few hundred bytes each. */
const MAX_BODY_BYTES = 1024 * 1024;
/** After Synapse said it does not know the endpoint (msc4306 off), it is not asked again for this long. */
const UNSUPPORTED_RETRY_MS = 60_000;

/** One thread's latest change: subscribed (`automatic` set) or unsubscribed (`automatic` undefined). */
export interface ThreadSubscriptionChange {
  roomId: string;
  threadRootId: string;
  bumpStamp: number;
  /** Set for a subscription, undefined for an unsubscription. */
  automatic: boolean | undefined;
}

export interface ThreadSubscriptionPage {
  /** Oldest first. */
  changes: ThreadSubscriptionChange[];
  /** Synapse's token for older changes left out (the answer was full), as its own sliding sync gives it. */
  end: string | undefined;
}

/**
 * Reads a user's thread subscription changes from the homeserver's MSC4308 companion endpoint, as the
 * user: the latest `limit` changes after stream position `after` (exclusive; 0 = since the beginning),
 * each thread once with its latest state. `bump_stamp` is Synapse's stream position of the change, so the
 * highest one returned is where the next read starts.
 *
 * undefined when there is nothing to say: the endpoint is unknown (Synapse without msc4306 answers 404
 * M_UNRECOGNIZED, and its own sliding sync then leaves the extension out), or it failed: the caller leaves
 * the extension out and keeps its position, so the next request reads the same changes again.
 */
export class ThreadSubscriptionsSource {
  private unsupportedUntil = 0;

  constructor(
    private readonly upstream: string,
    private readonly timeoutMs = 3_000,
    private readonly now: () => number = Date.now,
  ) {}

  async read(token: string, after: number, limit: number): Promise<ThreadSubscriptionPage | undefined> {
    if (this.now() < this.unsupportedUntil) return undefined;
    const query = new URLSearchParams({ dir: 'b', limit: String(Math.min(limit, COMPANION_MAX_LIMIT)) });
    if (after > 0) query.set('to', `ts${String(after)}`);
    try {
      const res = await upstreamJson(`${this.upstream}${THREAD_SUBSCRIPTIONS_PATH}?${query.toString()}`, {
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: this.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
      });
      if (res.status === 404 || (res.status === 400 && errcode(res.body) === 'M_UNRECOGNIZED')) {
        this.unsupportedUntil = this.now() + UNSUPPORTED_RETRY_MS;
        return undefined;
      }
      if (!res.ok) return undefined;
      return parseCompanionPage(res.body);
    } catch {
      return undefined;
    }
  }
}

function errcode(body: unknown): unknown {
  return isJsonObject(body) ? body['errcode'] : undefined;
}

/**
 * The companion endpoint's body as changes, oldest first; undefined if it is not the documented shape
 * (nothing of a malformed answer is passed on).
 */
export function parseCompanionPage(body: unknown): ThreadSubscriptionPage | undefined {
  if (!isJsonObject(body)) return undefined;
  const changes: ThreadSubscriptionChange[] = [];
  for (const key of ['subscribed', 'unsubscribed'] as const) {
    const rooms = body[key];
    if (rooms === undefined) continue;
    if (!isJsonObject(rooms)) return undefined;
    for (const [roomId, threads] of Object.entries(rooms)) {
      if (!isJsonObject(threads)) return undefined;
      for (const [threadRootId, info] of Object.entries(threads)) {
        if (!isJsonObject(info)) return undefined;
        const bumpStamp = info['bump_stamp'];
        if (typeof bumpStamp !== 'number' || !Number.isSafeInteger(bumpStamp) || bumpStamp < 1)
          return undefined;
        let automatic: boolean | undefined = undefined;
        if (key === 'subscribed') {
          if (typeof info['automatic'] !== 'boolean') return undefined;
          automatic = info['automatic'];
        }
        changes.push({ roomId, threadRootId, bumpStamp, automatic });
      }
    }
  }
  const end = body['end'];
  if (end !== undefined && typeof end !== 'string') return undefined;
  changes.sort((a, b) => a.bumpStamp - b.bumpStamp);
  return { changes, end };
}

/**
 * A `prev_batch` of the proxy's: the homeserver's `ts<end>` plus the connection's position before the
 * answer (`.<after>`), where the gap begins. MSC4308 has the client backpaginate with `from=prev_batch`
 * and `to=<the request's pos>`; the homeserver cannot read the proxy's `pos`, so the companion endpoint
 * (edge/thread-subscriptions.controller.ts) reads the gap's start from here instead. A `.` cannot be
 * mistaken by Synapse, which reads `ts` followed by a Python int (`_` is valid inside one, `.` is not).
 */
const GAP_TOKEN = /^ts(\d{1,16})\.(\d{1,16})$/;
const HOMESERVER_TOKEN = /^ts\d{1,16}$/;

export function gapToken(end: string, after: number): string {
  return HOMESERVER_TOKEN.test(end) ? `${end}.${String(after)}` : end;
}

/** The homeserver's `from` and the gap's start (exclusive) in a {@link gapToken}, else undefined. */
export function readGapToken(token: string): { from: string; after: number } | undefined {
  const match = GAP_TOKEN.exec(token);
  if (match === null) return undefined;
  return { from: `ts${match[1] ?? ''}`, after: Number(match[2]) };
}

/** The extension's answer as Synapse's sliding sync serialises it: empty maps and no gap are left out. */
export function threadSubscriptionsBody(page: ThreadSubscriptionPage): Record<string, unknown> {
  type Threads = Record<string, Record<string, Record<string, unknown>>>;
  // Keys come from the homeserver: objects without a prototype, so no key can reach one.
  const subscribed = Object.create(null) as Threads;
  const unsubscribed = Object.create(null) as Threads;
  let anySubscribed = false;
  let anyUnsubscribed = false;
  for (const c of page.changes) {
    if (c.automatic !== undefined) {
      (subscribed[c.roomId] ??= Object.create(null) as Threads[string])[c.threadRootId] = {
        automatic: c.automatic,
        bump_stamp: c.bumpStamp,
      };
      anySubscribed = true;
    } else {
      (unsubscribed[c.roomId] ??= Object.create(null) as Threads[string])[c.threadRootId] = {
        bump_stamp: c.bumpStamp,
      };
      anyUnsubscribed = true;
    }
  }
  return {
    ...(anySubscribed ? { subscribed } : {}),
    ...(anyUnsubscribed ? { unsubscribed } : {}),
    ...(page.end === undefined ? {} : { prev_batch: page.end }),
  };
}
