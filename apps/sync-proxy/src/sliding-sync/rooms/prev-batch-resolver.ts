import { upstreamJson } from '@gateway/http';
import { isJsonObject, LruCache, stringField } from '@gateway/util';

// `/context` with limit=0 is a few small fields.
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A pagination token for "just before this event", for timelines whose oldest returned event is not
 * the first of a stored v2 chunk (only those carry the homeserver's `prev_batch`). `/context` with
 * `limit=0` returns exactly that as `start`. Cached per event: the token never changes.
 */
export class PrevBatchResolver {
  private readonly cache = new LruCache<string, string>(50_000, { defaultTtlMs: 24 * 3600_000 });

  constructor(
    private readonly upstream: string,
    private readonly timeoutMs = 2_000,
  ) {}

  async resolve(token: string, roomId: string, eventId: string): Promise<string | undefined> {
    const cached = this.cache.get(eventId);
    if (cached !== undefined) return cached;
    const url = `${this.upstream}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/context/${encodeURIComponent(eventId)}?limit=0`;
    try {
      const res = await upstreamJson(url, {
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: this.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
      });
      const start = res.ok && isJsonObject(res.body) ? stringField(res.body, 'start') : undefined;
      if (start === undefined) return undefined;
      this.cache.set(eventId, start);
      return start;
    } catch {
      // Without a token the client still has the events; it just cannot paginate from this answer.
      return undefined;
    }
  }
}
