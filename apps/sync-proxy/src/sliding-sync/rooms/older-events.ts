import type { ClientEvent } from '@gateway/sync-data';
import { upstreamJson } from '@gateway/http';
import { arrayField, isJsonObject, Semaphore, stringField } from '@gateway/util';
import { clientEvent } from '../../poller/accumulate';

/** A page of `/messages` is at most a few hundred events of a few KiB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface OlderPage {
  /** Oldest first, ready to go before the stored events. */
  events: ClientEvent[];
  /** The homeserver's token for what comes before them; undefined at the start of the room. */
  end: string | undefined;
}

/**
 * Events older than what the proxy stored, from the homeserver's `/messages` as the user: the pollers
 * store what `/sync` gave them, which for a room first seen is its last few events, so a client asking a
 * cold room for a longer timeline gets the rest from here (the homeserver applies history visibility).
 * Bounded upstream concurrency per replica; a failure serves what is stored.
 */
export class OlderEvents {
  private readonly gate = new Semaphore(8);

  constructor(
    private readonly upstream: string,
    private readonly timeoutMs = 3_000,
  ) {}

  fetch(token: string, roomId: string, from: string, limit: number): Promise<OlderPage | undefined> {
    return this.gate.run(async () => {
      const query = new URLSearchParams({ dir: 'b', from, limit: String(limit) });
      const url = `${this.upstream}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?${query.toString()}`;
      try {
        const res = await upstreamJson(url, {
          headers: { authorization: `Bearer ${token}` },
          timeoutMs: this.timeoutMs,
          maxBodyBytes: MAX_BODY_BYTES,
        });
        if (!res.ok || !isJsonObject(res.body)) return undefined;
        const events = arrayField(res.body, 'chunk')
          .slice(0, limit)
          .flatMap((raw) => {
            const parsed = clientEvent(raw);
            return parsed === undefined ? [] : [parsed.event];
          })
          .reverse();
        return { events, end: stringField(res.body, 'end') };
      } catch {
        return undefined;
      }
    });
  }
}
