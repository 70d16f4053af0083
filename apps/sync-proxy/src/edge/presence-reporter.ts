import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { describeError, upstreamStatus } from '@gateway/http';
import { systemClock, type Clock } from '@gateway/util';
import type { Identity } from '../auth/token-store';
import type { SetPresence } from './stable-sync-translation';
import { VERSIONS_UPSTREAM } from './versions.controller';

/** How often a still-syncing client's presence is told again (Synapse idles a user after 5 minutes). */
const REPORT_EVERY_MS = 60_000;
/** Entries kept: one per recently seen token; the oldest are dropped past this. */
const MAX_ENTRIES = 50_000;
export const PRESENCE_CLOCK = Symbol('PRESENCE_CLOCK');

/**
 * The stable API's `set_presence` (MSC4186): a client syncing marks its user `online` (or `unavailable`,
 * or nothing for `offline`), as `/v3/sync` does. The proxy's poller syncs upstream with
 * `set_presence=offline` (it runs whether or not a client is there), so the client's presence is put
 * upstream by `PUT /presence/{userId}/status` with the client's own token: at most once a minute per
 * token while unchanged, in the background (a failure is logged, the sync is still answered).
 */
@Injectable()
export class PresenceReporter {
  private readonly log = new Logger('PresenceReporter');
  private readonly last = new Map<string, { presence: SetPresence; at: number }>();

  constructor(
    @Inject(VERSIONS_UPSTREAM) private readonly upstream: string,
    @Optional() @Inject(PRESENCE_CLOCK) private readonly now: Clock = systemClock,
  ) {}

  report(identity: Identity, presence: SetPresence): void {
    if (presence === 'offline') return;
    const now = this.now();
    const seen = this.last.get(identity.token);
    if (seen !== undefined && seen.presence === presence && now - seen.at < REPORT_EVERY_MS) return;
    this.last.delete(identity.token);
    this.last.set(identity.token, { presence, at: now });
    if (this.last.size > MAX_ENTRIES) {
      const oldest = this.last.keys().next();
      if (oldest.done !== true) this.last.delete(oldest.value);
    }
    const url = `${this.upstream}/_matrix/client/v3/presence/${encodeURIComponent(identity.userId)}/status`;
    upstreamStatus(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${identity.token}` },
      json: { presence },
      timeoutMs: 10_000,
      maxBodyBytes: 64 * 1024,
    }).then(
      (res) => {
        if (!res.ok)
          this.log.warn(`presence for ${identity.userId}: the homeserver answered ${String(res.status)}`);
      },
      (err: unknown) => {
        this.log.warn(`presence for ${identity.userId}: ${describeError(err)}`);
      },
    );
  }
}
